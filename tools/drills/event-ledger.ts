// The chaos drill's second witness: what the topics themselves say happened to each order. A
// consumer of its own reads every order-flow topic (and its dead letters) from the beginning,
// keeps the events of the drill's orders, and the checks below compare them with each order's
// final status: an effect that happened twice shows as two different event ids of one type for
// one order, whatever the apps' own tables say.
import { randomBytes } from 'node:crypto';
import { type Admin, type Consumer, Kafka, logLevel } from 'kafkajs';
import { deadLetterTopic } from '@commerce/contracts';
import { failure } from '@commerce/shop-client';

/** The topics of the order flow, each event type's own. */
const ORDER_FLOW = [
  'order.placed',
  'inventory.reserved',
  'inventory.rejected',
  'inventory.released',
  'payment.authorized',
  'payment.failed',
  'payment.captured',
  'payment.voided',
  'order.confirmed',
  'order.cancelled',
] as const;

/** Effects that must happen at most once per order: two event ids of one of these is a duplicate. */
const ONCE = [
  'payment.captured',
  'payment.voided',
  'order.confirmed',
  'order.cancelled',
  'inventory.reserved',
  'inventory.released',
];

export interface DeadLetter {
  topic: string;
  reason: string;
  error: string;
}

export class EventLedger {
  /** orderId → event type → distinct event ids. */
  readonly events = new Map<string, Map<string, Set<string>>>();
  readonly deadLetters = new Map<string, DeadLetter[]>();
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private readonly consumer: Consumer;
  private readonly groupId = `chaos-drill-${randomBytes(4).toString('hex')}`;
  private readonly read = new Map<string, number>(); // `${topic}:${partition}` → the next offset
  private topics: string[] = [];

  constructor(
    brokers: string[],
    private readonly prefix: string,
    private readonly orders: Set<string>,
  ) {
    this.kafka = new Kafka({ clientId: 'chaos-drill', brokers, logLevel: logLevel.NOTHING });
    this.admin = this.kafka.admin();
    this.consumer = this.kafka.consumer({ groupId: this.groupId, sessionTimeout: 10_000 });
  }

  async start(): Promise<void> {
    await this.admin.connect();
    const existing = new Set(await this.admin.listTopics());
    const wanted = ORDER_FLOW.flatMap((t) => [`${this.prefix}${t}`, deadLetterTopic(`${this.prefix}${t}`)]);
    this.topics = wanted.filter((t) => existing.has(t));
    if (this.topics.length === 0) return;
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topics, fromBeginning: true });
    await this.consumer.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) this.record(batch.topic, message.value, message.headers);
        this.read.set(`${batch.topic}:${batch.partition}`, Number(batch.lastOffset()) + 1);
      },
    });
  }

  /** Whether every partition has been read up to its end as it is now. */
  async caughtUp(): Promise<boolean> {
    for (const topic of this.topics) {
      for (const p of await this.admin.fetchTopicOffsets(topic)) {
        const end = Number(p.high);
        if (end > Number(p.low) && (this.read.get(`${topic}:${p.partition}`) ?? 0) < end) return false;
      }
    }
    return true;
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect().catch(() => undefined);
    await this.admin.deleteGroups([this.groupId]).catch(() => undefined);
    await this.admin.disconnect().catch(() => undefined);
  }

  /** Keeps one message of `topic` if it belongs to one of the orders. */
  record(
    topic: string,
    value: Buffer | null,
    headers: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined,
  ): void {
    if (!value) return;
    let envelope: { eventId?: string; eventType?: string; aggregateId?: string; data?: { orderId?: string } };
    try {
      envelope = JSON.parse(value.toString());
    } catch {
      return;
    }
    const orderId = envelope.data?.orderId ?? envelope.aggregateId;
    if (!orderId || !this.orders.has(orderId)) return;
    if (topic.endsWith('.dlq')) {
      const header = (name: string) => headers?.[name]?.toString() ?? '';
      const letters = this.deadLetters.get(orderId) ?? [];
      letters.push({ topic, reason: header('dlq-reason'), error: header('dlq-error').slice(0, 160) });
      this.deadLetters.set(orderId, letters);
      return;
    }
    const type = topic.slice(this.prefix.length);
    const byType = this.events.get(orderId) ?? new Map<string, Set<string>>();
    const ids = byType.get(type) ?? new Set<string>();
    ids.add(envelope.eventId ?? `(no id at ${topic})`);
    byType.set(type, ids);
    this.events.set(orderId, byType);
  }

  /** The number of distinct events of `type` for `orderId`. */
  count(orderId: string, type: string): number {
    return this.events.get(orderId)?.get(type)?.size ?? 0;
  }

  /**
   * What the topics contradict, given each order's final status over HTTP: `missing` for what has
   * not (or not yet) been published, `wrong` for what may never be (a duplicate, a contradiction,
   * a dead letter). The drill reads on while only `missing` is non-empty.
   */
  check(statuses: Map<string, string>): { missing: string[]; wrong: string[] } {
    const missing: string[] = [];
    const wrong: string[] = [];
    for (const [id, status] of statuses) {
      const n = (type: string) => this.count(id, type);
      for (const type of ONCE) if (n(type) > 1) wrong.push(`${id}: ${n(type)} different ${type} events`);
      if (n('order.placed') !== 1)
        (n('order.placed') === 0 ? missing : wrong).push(`${id}: ${n('order.placed')} order.placed`);
      if (n('order.confirmed') && n('order.cancelled')) wrong.push(`${id}: both order.confirmed and order.cancelled`);
      if (status === 'CONFIRMED') {
        for (const type of ['order.confirmed', 'inventory.reserved', 'payment.authorized', 'payment.captured'])
          if (n(type) === 0) missing.push(`${id} CONFIRMED: no ${type}`);
        for (const type of ['payment.voided', 'inventory.released', 'order.cancelled'])
          if (n(type) > 0) wrong.push(`${id} CONFIRMED: ${type}`);
      } else if (status === 'CANCELLED') {
        if (n('order.cancelled') === 0) missing.push(`${id} CANCELLED: no order.cancelled`);
        if (n('payment.captured') > 0) wrong.push(`${id} CANCELLED: payment.captured`);
        if (n('payment.authorized') > 0 && n('payment.voided') === 0 && n('payment.captured') === 0)
          missing.push(`${id} CANCELLED: payment.authorized never voided`);
        if (n('inventory.reserved') > 0 && n('inventory.released') === 0)
          missing.push(`${id} CANCELLED: inventory.reserved never released`);
      }
      for (const letter of this.deadLetters.get(id) ?? [])
        wrong.push(`${id}: dead letter in ${letter.topic} (${letter.reason}: ${letter.error})`);
    }
    return { missing, wrong };
  }

  /** Adds to `failures` what `check` found (after the drill stopped waiting for the missing). */
  report(statuses: Map<string, string>, failures: string[]): void {
    const { missing, wrong } = this.check(statuses);
    failure(failures, 'topics: events missing', missing);
    failure(failures, 'topics: duplicate or contradicting events, dead letters', wrong);
  }
}
