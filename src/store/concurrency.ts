// A bounded fan-out both store backends use to open many channels without opening them all at once.

/** fn over every input, at most `limit` at a time; results in input order. Rejects with the first failure. */
export async function mapWithConcurrency<A, B>(inputs: readonly A[], limit: number, fn: (input: A) => Promise<B>): Promise<B[]> {
  const results: B[] = new Array<B>(inputs.length);
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) {
      const i = next++;
      results[i] = await fn(inputs[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, inputs.length) }, worker));
  return results;
}
