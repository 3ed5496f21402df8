// The request-duration histogram's buckets, a leaf: the serving thread (http/serving-worker.ts) counts
// its requests into them without loading prom-client.

/** Latency buckets in seconds: a cached feed is answered in well under a millisecond. */
export const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const;

/** The index of the bucket a request of `seconds` falls in; HTTP_BUCKETS.length is +Inf. */
export function bucketIndex(seconds: number): number {
  let i = 0;
  while (i < HTTP_BUCKETS.length && seconds > HTTP_BUCKETS[i]!) i += 1;
  return i;
}
