// The chaos drill's load: orders placed open-loop at a steady rate for as long as the drill runs
// (each POST sent at its due time whatever earlier ones are doing, retried with its Idempotency-Key
// through a fault), and a watcher that notes when each accepted order stops being PENDING, so the
// drill can say when orders settle again after a fault.
import {
  listOrders,
  type Planned,
  placeOrder,
  type Reply,
  replyProblem,
  type Session,
  sleep,
} from '@commerce/shop-client';

export interface StreamOrder extends Planned {
  /** Date.now() of the due time and of the final reply. */
  due: number;
  done?: number;
  status?: number | 'error';
  attempts?: number;
  orderId?: string;
  /** When the watcher first saw it no longer PENDING. */
  settledAt?: number;
}

/** Every POST attempt's reply, with when it came: the drill counts them per fault. */
export interface Attempt {
  at: number;
  status: number | 'error';
  problem?: string;
  /** The answer said when to try again (Retry-After): a 503 a client is meant to retry. */
  retryAfter: boolean;
}

export class OrderStream {
  readonly orders: StreamOrder[] = [];
  readonly attempts: Attempt[] = [];
  private next = 0;
  private running = false;
  private done?: Promise<void>;
  private readonly inFlight = new Set<Promise<void>>();
  /** Set once the plans ran out before the drill ended. */
  ranOutAt?: number;

  constructor(
    private readonly plans: Planned[],
    private readonly rate: number,
    private readonly attemptsPerOrder: number,
  ) {}

  get accepted(): StreamOrder[] {
    return this.orders.filter((o) => o.orderId);
  }

  start(): void {
    this.running = true;
    const start = Date.now();
    const interval = 1000 / this.rate;
    this.done = (async () => {
      while (this.running) {
        const now = Date.now();
        while (this.running && start + this.next * interval <= now) {
          const plan = this.plans[this.next];
          if (!plan) {
            this.ranOutAt ??= now;
            this.running = false;
            break;
          }
          const order: StreamOrder = { ...plan, due: start + this.next * interval };
          this.orders.push(order);
          this.next++;
          const placing = this.place(order);
          this.inFlight.add(placing);
          void placing.finally(() => this.inFlight.delete(placing));
        }
        await sleep(Math.max(1, start + this.next * interval - Date.now()));
      }
    })();
  }

  /** Stops placing new orders and waits for those in flight to get their final reply. */
  async stop(): Promise<void> {
    this.running = false;
    await this.done;
    await Promise.all([...this.inFlight]);
  }

  /** Sends an order whose every attempt failed once more, with its key: it may exist after all. */
  async retryUnanswered(): Promise<number> {
    const unanswered = this.orders.filter((o) => !o.orderId);
    for (const order of unanswered) await this.place(order);
    return unanswered.length;
  }

  private async place(order: StreamOrder): Promise<void> {
    const result = await placeOrder(order, {
      attempts: this.attemptsPerOrder,
      onReply: (r: Reply) =>
        this.attempts.push({
          at: Date.now(),
          status: r.status,
          problem: r.status === 202 ? undefined : replyProblem(r),
          retryAfter: r.retryAfterMs !== undefined,
        }),
    });
    Object.assign(order, result, { done: Date.now() });
  }
}

/** Polls the admin's PENDING list and stamps `settledAt` on each accepted order that left it. */
export class SettleWatcher {
  private running = false;
  private loop?: Promise<void>;
  /** When the last poll that succeeded started. */
  lastPoll = 0;

  constructor(
    private readonly admin: Session,
    private readonly stream: OrderStream,
    private readonly since: number,
  ) {}

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        await this.poll().catch(() => undefined); // the order app may be the one down
        await sleep(1_000);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  async poll(): Promise<void> {
    const started = Date.now();
    const accepted = this.stream.accepted.filter((o) => o.settledAt === undefined && (o.done ?? Infinity) < started);
    if (accepted.length === 0) {
      this.lastPoll = started;
      return;
    }
    const pending = await listOrders(this.admin, 'PENDING', this.since - 60_000);
    for (const order of accepted) if (!pending.has(order.orderId!)) order.settledAt = started;
    this.lastPoll = started;
  }

  /** Whether every order accepted before `t` has settled; when so, the time it was seen. */
  settledBefore(t: number): number | undefined {
    const open = this.stream.accepted.filter((o) => (o.done ?? Infinity) <= t);
    if (open.some((o) => o.settledAt === undefined)) return undefined;
    return Math.max(t, ...open.map((o) => o.settledAt!));
  }

  /** Accepted orders not settled yet. */
  pending(): string[] {
    return this.stream.accepted.filter((o) => o.settledAt === undefined).map((o) => o.orderId!);
  }
}
