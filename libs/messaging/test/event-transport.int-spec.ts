import { type EventOf } from '@commerce/contracts';
import { KafkaModule } from '@commerce/kafka';
import { type AppSpec, baseConfigSchema, DatabaseModule } from '@commerce/platform';
import {
  createTestDatabase,
  ledgerClient,
  LedgerDatabase,
  startTestApp,
  type TestApp,
  type TestDatabase,
  TopicReader,
  uniqueId,
  waitFor,
} from '@commerce/testing';
import {
  type CallHandler,
  Controller,
  type ExecutionContext,
  Injectable,
  Module,
  type NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventContext, EventPattern, KafkaEventTransport, MessagingModule } from '../src/index.ts';
import { authorized, Harness } from './support.ts';

type Tx = Parameters<Parameters<LedgerDatabase['$transaction']>[0]>[0];

// What the handlers saw, for the assertions: module state, since Nest builds the instances.
const seen: Array<{ eventId: string; topic: string; partition: number; offset: string; eventHeader?: string }> = [];
const intercepted: Array<{ type: string; eventId: string }> = [];

@Injectable()
class RecordingInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler) {
    intercepted.push({
      type: context.getType(),
      eventId: context.switchToRpc().getData<{ eventId: string }>().eventId,
    });
    return next.handle();
  }
}

/** A feature's event controller, as an app writes one. */
@Controller()
@UseInterceptors(RecordingInterceptor)
class LedgerEventsController {
  @EventPattern('payment.authorized')
  async onAuthorized(@Payload() event: EventOf<'payment.authorized'>, @Ctx() ctx: EventContext<Tx>) {
    seen.push({
      eventId: event.eventId,
      topic: ctx.topic,
      partition: ctx.partition,
      offset: ctx.offset,
      eventHeader: ctx.headers['event-id'],
    });
    await ctx.tx.ledgerEntry.create({
      data: { eventId: event.eventId, handler: 'ledger', account: event.data.orderId, amount: event.data.amountCents },
    });
    // An amount of 13 is refused: the error must reach the transport as it was thrown.
    if (event.data.amountCents === 13) throw new Error(`unlucky amount for ${event.eventId}`);
  }
}

@Module({ controllers: [LedgerEventsController], providers: [RecordingInterceptor] })
class LedgerFeatureModule {}

@Module({
  imports: [
    DatabaseModule.forRoot(LedgerDatabase),
    KafkaModule.forRoot(),
    MessagingModule.forRoot({ database: LedgerDatabase }),
    LedgerFeatureModule,
  ],
})
class LedgerAppModule {}

const ledgerApp: AppSpec = {
  service: 'ledger',
  prefix: 'api/ledger',
  api: [], // no routes of its own to document
  defaultPort: 0,
  configSchema: baseConfigSchema,
  module: () => LedgerAppModule,
  connect: (app) => app.connectMicroservice({ strategy: app.get(KafkaEventTransport) }, { inheritAppConfig: true }),
};

describe('KafkaEventTransport in a Nest app', () => {
  let database: TestDatabase;
  let db: LedgerDatabase;
  let app: TestApp;
  let harness: Harness;

  const entries = (eventId: string) => db.ledgerEntry.count({ where: { eventId } });

  beforeAll(async () => {
    database = await createTestDatabase(['ledger']);
    db = ledgerClient(database.urlFor('ledger'));
    harness = new Harness();
    await harness.createTopics(['payment.authorized'], 1);
    app = await startTestApp(ledgerApp, {
      DATABASE_URL: database.urlFor('ledger'),
      KAFKA_TOPIC_PREFIX: harness.prefix,
      KAFKA_CLIENT_ID: uniqueId('ledger-'),
      CONSUMER_MAX_ATTEMPTS: '2',
      CONSUMER_RETRY_INITIAL_MS: '10',
    });
  });
  afterAll(async () => {
    await app?.close();
    await harness?.close();
    await db?.$disconnect();
    await database?.drop();
  });

  it('runs the @EventPattern method Nest discovered, once per event, in the transaction of its inbox row', async () => {
    const event = authorized();
    await harness.publish(event, event);
    const marker = authorized(event.aggregateId);
    await harness.publish(marker);
    await waitFor(async () => (await entries(marker.eventId)) === 1, { what: 'the marker to be applied' });

    expect(await entries(event.eventId)).toBe(1);
    expect(seen.filter((s) => s.eventId === event.eventId)).toEqual([
      {
        eventId: event.eventId,
        topic: harness.topic('payment.authorized'),
        partition: 0,
        offset: '0',
        eventHeader: event.eventId,
      },
    ]);
    const inbox = await db.$queryRaw<Array<{ consumer: string }>>`
      SELECT consumer FROM inbox WHERE event_id = ${event.eventId}::uuid`;
    expect(inbox).toEqual([{ consumer: 'payment.authorized' }]);
  });

  it('applies Nest interceptors to events as to HTTP', async () => {
    const event = authorized();
    await harness.publish(event);
    await waitFor(async () => (await entries(event.eventId)) === 1, { what: 'the event to be applied' });
    expect(intercepted).toContainEqual({ type: 'rpc', eventId: event.eventId });
  });

  it('hands a handler error to the transport as thrown: retried, rolled back, then dead-lettered with its message', async () => {
    const poison = authorized(undefined, 13);
    await harness.publish(poison);
    const after = authorized(poison.aggregateId);
    await harness.publish(after);
    await waitFor(async () => (await entries(after.eventId)) === 1, { what: 'the partition to move on' });

    expect(seen.filter((s) => s.eventId === poison.eventId)).toHaveLength(2);
    expect(await entries(poison.eventId)).toBe(0);
    const dlq = await new TopicReader(harness.kafka, [`${harness.topic('payment.authorized')}.dlq`]).start();
    try {
      const [letter] = await dlq.waitFor(1);
      expect(letter!.headers).toMatchObject({
        'dlq-reason': 'handler-failed',
        'dlq-error': `unlucky amount for ${poison.eventId}`,
        'dlq-attempts': '2',
        'dlq-handler': 'payment.authorized',
      });
    } finally {
      await dlq.stop();
    }
  });
});
