import type { Envelope } from '@commerce/contracts';

/** What a handler gets besides the event: the transaction it runs in (with the inbox insert). */
export interface HandlerTransaction {
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

/** Where a message came from. */
export interface MessageOrigin {
  topic: string;
  partition: number;
  offset: string;
  headers: Record<string, string>;
}

/** A handler as the consumer runs it: its inbox name, its event type, its function. */
export interface BoundHandler {
  /** The `consumer` of its inbox rows: a redelivered event is skipped per handler. */
  name: string;
  eventType: string;
  /** The consumer group it runs in (the app), named on its span when tracing. */
  group?: string;
  handle(event: Envelope, tx: HandlerTransaction, origin: MessageOrigin): Promise<void>;
}
