// How often this thread's event loop turned while some work ran: a test's way to see that work was done
// elsewhere or in slices, without timing anything.

/** Resolves with what `work` resolves to and how many turns (setImmediate callbacks) this thread made until then. */
export async function withLoopTurns<T>(work: Promise<T>): Promise<{ value: T; turns: number }> {
  let turns = 0;
  let running = true;
  const tick = () => {
    turns += 1;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  try {
    const value = await work;
    return { value, turns };
  } finally {
    running = false;
  }
}
