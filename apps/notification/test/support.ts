import { randomUUID } from 'node:crypto';
import { createEvent, type EventOf, type EventType } from '@commerce/contracts';
import {
  adminQuery,
  createTestDatabase,
  startTestApp,
  startTestIssuer,
  startTestSmtpServer,
  type TestApp,
  type TestDatabase,
  type TestIssuer,
  type TestSchema,
  type TestSmtpServer,
  TestEventPublisher,
  testKafka,
  uniqueId,
  waitFor,
} from '@commerce/testing';
import type { Kafka } from 'kafkajs';
import { notificationApp } from '../src/app.ts';

/** One test file's world: its database, SMTP server, token issuer, topics, and the app on them. */
export class NotificationWorld {
  readonly prefix = `${uniqueId()}.`;
  readonly kafka: Kafka = testKafka();
  db!: TestDatabase;
  smtp!: TestSmtpServer;
  issuer!: TestIssuer;
  app!: TestApp;
  private events?: TestEventPublisher;
  private readonly apps: TestApp[] = [];

  /**
   * `postgresUrl`: the server to make the database on (a scratch cluster a test may restart), else the
   * tests' own. `alongside`: other apps' schemas and roles in the same database (a neighbour's role).
   */
  constructor(private readonly options: { postgresUrl?: string; alongside?: TestSchema[] } = {}) {}

  /** Starts everything; `env` is added to the app's environment, `smtp` says how the SMTP server behaves. */
  async start(env: Record<string, string> = {}, smtp: Parameters<typeof startTestSmtpServer>[0] = {}): Promise<this> {
    this.db = await createTestDatabase(['notification', ...(this.options.alongside ?? [])], {
      postgresUrl: this.options.postgresUrl,
    });
    this.smtp = await startTestSmtpServer(smtp);
    this.issuer = await startTestIssuer();
    this.app = await this.startApp(env);
    return this;
  }

  /** Starts (another) app on this world's database; ready once its consumer runs (it creates its topics). */
  async startApp(env: Record<string, string> = {}): Promise<TestApp> {
    const app = await startTestApp(notificationApp, {
      DATABASE_URL: this.db.urlFor('notification'),
      SMTP_URL: this.smtp.url,
      KAFKA_TOPIC_PREFIX: this.prefix,
      MAIL_POLL_INTERVAL_MS: '200',
      MAIL_RETRY_INITIAL_MS: '50',
      MAIL_RETRY_MAX_MS: '200',
      ...this.issuer.env,
      ...env,
    });
    this.apps.push(app);
    await waitFor(async () => (await fetch(`${app.baseUrl}/health`)).status === 200, {
      timeoutMs: 60_000,
      what: 'the notification app to be up',
    });
    return app;
  }

  /** Produces events as the outbox relay would: keyed by aggregate id, with the envelope headers. */
  async publish(...events: EventOf<EventType>[]): Promise<void> {
    this.events ??= new TestEventPublisher(this.kafka, this.prefix);
    await this.events.send(events);
  }

  /** Waits until the app's consumers have handled every one of these events. */
  async handled(...events: EventOf<EventType>[]): Promise<void> {
    const ids = events.map((e) => e.eventId);
    await waitFor(
      async () => {
        const rows = await this.query<{ n: number }>(
          'SELECT count(DISTINCT event_id)::int AS n FROM notifications.inbox WHERE event_id = ANY($1::uuid[])',
          [ids],
        );
        return rows[0].n === new Set(ids).size;
      },
      { what: `events ${ids.join(', ')} to be handled` },
    );
  }

  /** Waits until no email that can be sent is still unsent. */
  async drained(): Promise<void> {
    await waitFor(
      async () => {
        const rows = await this.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM notifications.notifications n
           JOIN notifications.users u ON u.user_id = n.user_id WHERE n.sent_at IS NULL`,
        );
        return rows[0].n === 0;
      },
      { what: 'every sendable email to be sent' },
    );
  }

  /** The notification rows of a user, oldest first. */
  rowsOf(userId: string) {
    return this.query<{
      id: string;
      type: string;
      order_id: string | null;
      sent_at: Date | null;
      attempts: number;
      last_error: string | null;
      message_id: string | null;
    }>(
      `SELECT id::text, type::text, order_id, sent_at, attempts, last_error, message_id
       FROM notifications.notifications WHERE user_id = $1 ORDER BY created_at, id`,
      [userId],
    );
  }

  /** A query as a superuser of this world's database (assertions only). */
  query<R extends Record<string, unknown>>(sql: string, values: unknown[] = []): Promise<R[]> {
    return adminQuery<R>(this.db, sql, values);
  }

  /** Closes one app this world started (the others go on; world.close() will not close it again). */
  async closeApp(app: TestApp): Promise<void> {
    const index = this.apps.indexOf(app);
    if (index === -1) return;
    this.apps.splice(index, 1);
    await app.close();
  }

  /** Closes every app this world started (each at most once). */
  async closeApps(): Promise<void> {
    await Promise.all(this.apps.splice(0).map((app) => app.close()));
  }

  async close(): Promise<void> {
    await this.events?.stop().catch(() => undefined);
    await this.closeApps();
    await this.smtp?.close();
    await this.issuer?.close();
    await this.db?.drop();
  }
}

/** A user.created event (a new user with a fresh address unless given). */
export function userCreated(userId: string = randomUUID(), name = 'Ada'): EventOf<'user.created'> {
  return createEvent(
    'user.created',
    { userId, email: `${userId}@example.com`, name },
    { source: 'auth', aggregateId: userId, correlationId: randomUUID() },
  );
}

/** The address userCreated() gives a user. */
export const emailOf = (userId: string) => `${userId}@example.com`;

/** An order.placed event of a customer. */
export function orderPlaced(customerId: string, orderId: string = randomUUID()): EventOf<'order.placed'> {
  return createEvent(
    'order.placed',
    {
      orderId,
      customerId,
      items: [
        { sku: 'MUG-1', quantity: 2, unitPriceCents: 1250 },
        { sku: 'TEA-9', quantity: 1, unitPriceCents: 399 },
      ],
      totalCents: 2899,
      currency: 'USD',
      paymentToken: 'tok_ok',
    },
    { source: 'order', aggregateId: orderId, correlationId: randomUUID() },
  );
}

/** An order.confirmed event. */
export function orderConfirmed(customerId: string, orderId: string): EventOf<'order.confirmed'> {
  return createEvent(
    'order.confirmed',
    { orderId, customerId, totalCents: 2899, currency: 'USD' },
    { source: 'order', aggregateId: orderId, correlationId: randomUUID() },
  );
}

/** An order.cancelled event. */
export function orderCancelled(
  customerId: string,
  orderId: string,
  reason: EventOf<'order.cancelled'>['data']['reason'] = 'OUT_OF_STOCK',
): EventOf<'order.cancelled'> {
  return createEvent(
    'order.cancelled',
    { orderId, customerId, reason },
    { source: 'order', aggregateId: orderId, correlationId: randomUUID() },
  );
}

/** The same event again under a new event id (another delivery of the same fact). */
export function anew<E extends EventOf<EventType>>(event: E): E {
  return { ...event, eventId: randomUUID() };
}
