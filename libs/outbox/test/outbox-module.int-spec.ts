import { randomUUID } from 'node:crypto';
import type { EventOf } from '@commerce/contracts';
import { KafkaModule } from '@commerce/kafka';
import { EventContext, EventPattern, KafkaEventTransport, MessagingModule } from '@commerce/messaging';
import { type AppSpec, baseConfigSchema, DatabaseModule, runWithCorrelation } from '@commerce/platform';
import {
  createTestDatabase,
  LedgerDatabase,
  type TestApp,
  type TestDatabase,
  type TestIssuer,
  startTestApp,
  startTestIssuer,
  testKafka,
  TopicReader,
  uniqueId,
  waitFor,
} from '@commerce/testing';
import { Controller, Module } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxModule } from '../src/outbox.module.ts';
import { Outbox } from '../src/outbox.service.ts';

interface HealthEntry {
  status: string;
  message?: string;
  unpublished?: number;
  oldestAgeMs?: number;
  group?: string;
}
interface HealthReport {
  status: string;
  info: Record<string, HealthEntry>;
  error: Record<string, HealthEntry>;
}

type Tx = Parameters<Parameters<LedgerDatabase['$transaction']>[0]>[0];

// A handler that publishes in turn: what it publishes must carry the handled event's correlation.
@Controller()
class CaptureWhenAuthorized {
  constructor(private readonly outbox: Outbox) {}

  @EventPattern('payment.authorized')
  async handle(@Payload() event: EventOf<'payment.authorized'>, @Ctx() ctx: EventContext<Tx>): Promise<void> {
    await this.outbox.add(ctx.tx, this.outbox.event('payment.captured', event.data, event.aggregateId));
  }
}

@Module({
  imports: [
    DatabaseModule.forRoot(LedgerDatabase),
    KafkaModule.forRoot(),
    OutboxModule.forRoot({ produces: ['payment.authorized', 'payment.captured'] }),
    MessagingModule.forRoot({ database: LedgerDatabase }),
  ],
  controllers: [CaptureWhenAuthorized],
})
class LedgerModule {}

const ledgerApp: AppSpec = {
  service: 'payment',
  prefix: 'api/ledger',
  api: [], // no routes of its own to document
  defaultPort: 0,
  configSchema: baseConfigSchema,
  module: () => LedgerModule,
  connect: (app) => app.connectMicroservice({ strategy: app.get(KafkaEventTransport) }, { inheritAppConfig: true }),
};

describe('OutboxModule and MessagingModule in an app', () => {
  let database: TestDatabase;
  let issuer: TestIssuer;
  let app: TestApp;
  const prefix = `${uniqueId()}.`;
  // The details (unpublished, oldest age, group) are shown to an admin only.
  const report = async (path: '/health' | '/health/ready') => {
    const token = await issuer.token({ roles: ['admin'] });
    const response = await fetch(`${app.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as HealthReport };
  };
  const health = () => report('/health');

  beforeAll(async () => {
    database = await createTestDatabase(['ledger']);
    issuer = await startTestIssuer();
    app = await startTestApp(ledgerApp, {
      ...issuer.env,
      DATABASE_URL: database.urlFor('ledger'),
      KAFKA_TOPIC_PREFIX: prefix,
      OUTBOX_MAX_LAG_MS: '1500',
      OUTBOX_POLL_INTERVAL_MS: '200',
    });
  });
  afterAll(async () => {
    await app?.close();
    await issuer?.close();
    await database?.drop();
  });

  it('is healthy once its topics exist, the relay runs and the consumer has joined', async () => {
    const { body } = await waitFor(
      async () => {
        const r = await health();
        return r.status === 200 && r;
      },
      { what: 'the app to be ready' },
    );
    expect(body.info.outbox).toMatchObject({ status: 'up', unpublished: 0 });
    expect(body.info.consumer).toMatchObject({ status: 'up', group: `${prefix}payment` });
  });

  it('carries the correlation of a handled event into what its handler publishes, with the event as cause', async () => {
    const reader = await new TopicReader(testKafka(), [`${prefix}payment.captured`]).start();
    try {
      const outbox = app.app.get(Outbox);
      const db = app.app.get(LedgerDatabase);
      const orderId = randomUUID();
      const authorized = await runWithCorrelation({ correlationId: 'corr-checkout-1' }, async () => {
        const event = outbox.event(
          'payment.authorized',
          { orderId, paymentId: randomUUID(), amountCents: 900, currency: 'USD' },
          orderId,
        );
        await db.$transaction((tx) => outbox.add(tx, event));
        return event;
      });
      expect(authorized).toMatchObject({ correlationId: 'corr-checkout-1', causationId: null, source: 'payment' });

      const [captured] = await reader.waitFor(1);
      expect(JSON.parse(captured.value!)).toMatchObject({
        eventType: 'payment.captured',
        aggregateId: orderId,
        correlationId: 'corr-checkout-1',
        causationId: authorized.eventId,
        data: authorized.data,
      });
      expect(captured.headers['correlation-id']).toBe('corr-checkout-1');
    } finally {
      await reader.stop();
    }
  });

  it('reports 503 in /health when the oldest unpublished event is older than OUTBOX_MAX_LAG_MS, and stays ready', async () => {
    const db = app.app.get(LedgerDatabase);
    // A row the relay may not touch for an hour: as a key stuck in backoff would be.
    await db.$executeRawUnsafe(
      `INSERT INTO outbox (event_id, topic, message_key, payload, headers, next_attempt_at) VALUES ($1::uuid, 'payment.captured', 'stuck', '{}'::jsonb, '{}'::jsonb, now() + interval '1 hour')`,
      randomUUID(),
    );
    const { body } = await waitFor(
      async () => {
        const r = await health();
        return r.status === 503 && r;
      },
      { what: '/health to turn 503' },
    );
    expect(body.error.outbox).toMatchObject({ status: 'down', unpublished: 1 });
    expect(body.error.outbox.oldestAgeMs).toBeGreaterThan(1500);
    expect(body.error.outbox.message).toMatch(/oldest unpublished event is \d+ ms old \(limit 1500 ms\)/);
    expect(body.info.kafka.status).toBe('up');
    // A lagging outbox delays events; it does not stop the app serving HTTP.
    const ready = await report('/health/ready');
    expect(ready.status).toBe(200);
    expect(Object.keys(ready.body.info)).toEqual(['database']);
    await db.$executeRaw`DELETE FROM outbox WHERE message_key = 'stuck'`;
    await waitFor(async () => (await health()).status === 200, { what: '/health to return' });
  });
});
