/**
 * A gate a test backend waits at while it is held: `hold` closes it, `release` opens it and lets every waiter
 * through, `passed` resolves at once when the gate is open. Keeps a run RUNNING for as long as a test needs.
 */
export function createGate() {
  let held: { promise: Promise<void>; release: () => void } | null = null;
  return {
    passed: () => held?.promise ?? Promise.resolve(),
    hold() {
      let release = () => {};
      const promise = new Promise<void>((r) => {
        release = r;
      });
      held = { promise, release };
    },
    release() {
      held?.release();
      held = null;
    },
  };
}

/** Polls `probe` until it returns something other than undefined. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
