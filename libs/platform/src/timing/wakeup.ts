/**
 * A sleep that a signal can cut short, for loops that poll and are also woken (NOTIFY, a commit).
 * A wake with nobody asleep is kept, so the next sleep returns at once and no signal is lost.
 */
export class Wakeup {
  private readonly sleepers = new Set<() => void>();
  private woken = false;

  /** Resolves after `ms`, or as soon as wake() is called. */
  sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  /** Ends every current sleep (or the next one, if nobody sleeps now). */
  wake(): void {
    if (this.sleepers.size === 0) this.woken = true;
    for (const sleeper of this.sleepers) sleeper();
  }

  /**
   * Ends the longest sleep only (or the next one, if nobody sleeps now): for a signal that one
   * sleeper can take care of, so that the others do not all wake to find nothing left.
   */
  wakeOne(): void {
    const [first] = this.sleepers;
    if (first) first();
    else this.woken = true;
  }
}
