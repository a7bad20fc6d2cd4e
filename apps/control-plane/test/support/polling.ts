/** Polls `probe` every 25 ms until it holds (60 s at most); the time it first held. A probe that throws has not held. */
export async function firstTimeTrue(probe: () => Promise<boolean>, what: string): Promise<number> {
  const deadline = Date.now() + 60_000;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return Date.now();
}
