/**
 * For a person waiting on a page or an API call while slow work (a hotspot's answer) goes on:
 * what `work` gives if it settles within `waitMs`, otherwise `fallback`. The work is not
 * cancelled; a caller that needs its late outcome or failure observes `work` itself.
 */
export async function settleWithin<T>(work: Promise<T>, waitMs: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), waitMs);
    timer.unref();
  });
  try {
    return await Promise.race([work, timeout]);
  } catch {
    return fallback;
  } finally {
    clearTimeout(timer);
  }
}
