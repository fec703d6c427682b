/**
 * At most `size` holders at once; the others wait their turn, first come first served. The mail
 * dispatcher's workers share one, so no more emails are in flight to SMTP than there are slots.
 */
export class SendSlots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly size: number) {
    this.free = size;
  }

  /** Runs `task` once a slot is free, and frees the slot when it settles. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  // The slot passes straight to the next in line, if any: nobody can jump the queue in between.
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}
