import type { EventOf } from '@commerce/contracts';
import { ProviderBreaker } from '@commerce/platform';
import { createTestDatabase, ledgerClient, type LedgerDatabase, type TestDatabase, waitFor } from '@commerce/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BoundHandler } from '../src/consumer/event-handler.ts';
import type { ConsumerLogger } from '../src/consumer/event-pipeline.ts';
import { authorized, Harness } from './support.ts';

type Tx = Parameters<Parameters<LedgerDatabase['$transaction']>[0]>[0];

/** How a scripted handler fails while its condition lasts. */
type Condition =
  'serialization-failure' | 'deadlock' | 'provider-down' | 'provider-socket-error' | 'rule-violation' | undefined;

const socketError = () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', syscall: 'read' });

/**
 * A provider the handler calls before it writes: while `down` it fails as a network error of its
 * own, and is reached through the platform's circuit breaker, as the payment gateway is.
 */
class FlakyProvider {
  down = false;
  calls = 0;
  readonly breaker = new ProviderBreaker({
    provider: 'card-network',
    failuresToOpen: 3,
    // Longer than the consumer's rests, so most tries find it open.
    halfOpenAfter: { initialMs: 1_000, maxMs: 1_000 },
    callTimeoutMs: 1_000,
    isUnavailable: (error) => (error as { code?: unknown }).code === 'ECONNRESET',
  });

  charge(): Promise<void> {
    return this.breaker.execute(async () => {
      this.calls++;
      if (this.down) throw socketError();
    });
  }
}

/**
 * Writes a ledger entry, after failing for as long as `condition` says: with a real PostgreSQL
 * serialization failure or deadlock (raised in its transaction), a provider that is down, a
 * provider's socket error it does not type, or a rule it breaks.
 */
class ScriptedHandler implements BoundHandler {
  readonly eventType = 'payment.authorized';
  readonly name = 'ScriptedHandler';
  condition: Condition;
  /** Only these events are affected; undefined: all. */
  only?: Set<string>;
  failures = 0;
  readonly provider = new FlakyProvider();

  async handle(event: never, tx: never): Promise<void> {
    const e = event as EventOf<'payment.authorized'>;
    const t = tx as Tx;
    const affected = !this.only || this.only.has(e.eventId);
    if (affected && this.condition) {
      this.failures++;
      switch (this.condition) {
        case 'serialization-failure':
          await t.$executeRawUnsafe(
            `DO $$ BEGIN RAISE EXCEPTION 'could not serialize access due to concurrent update' USING ERRCODE = 'serialization_failure'; END $$`,
          );
          break;
        case 'deadlock':
          await t.$executeRawUnsafe(
            `DO $$ BEGIN RAISE EXCEPTION 'deadlock detected' USING ERRCODE = 'deadlock_detected'; END $$`,
          );
          break;
        case 'provider-down':
          break;
        case 'provider-socket-error':
          // What a provider's client raises without typing it: the socket code is in its cause.
          throw new Error('capturing with the card network failed', { cause: socketError() });
        case 'rule-violation':
          throw new Error(`order ${e.data.orderId} cannot be charged twice`);
      }
    }
    if (affected) await this.provider.charge();
    await t.ledgerEntry.create({
      data: { eventId: e.eventId, handler: this.name, account: e.data.orderId, amount: e.data.amountCents },
    });
  }
}

/** A logger that keeps what the consumer said, by message. */
function recordingLogger(): ConsumerLogger & { said(message: string): unknown[] } {
  const lines: Array<{ line: unknown; message: unknown }> = [];
  const keep = (line: unknown, message?: unknown) => void lines.push({ line, message });
  return { log: keep, warn: keep, error: keep, said: (m) => lines.filter((l) => l.message === m).map((l) => l.line) };
}

describe('the retry budget, by kind of failure', () => {
  let database: TestDatabase;
  let db: LedgerDatabase;
  let harness: Harness;

  const entries = (eventId: string) => db.ledgerEntry.count({ where: { eventId } });
  const applied = (eventId: string, what: string) =>
    waitFor(async () => (await entries(eventId)) > 0, { timeoutMs: 20_000, what });

  // Attempts of a permanent failure: 3 in about 150 ms. Every test below outlasts that many times over.
  const budget = { maxAttempts: 3, retry: { initialMs: 50, maxMs: 100 }, wait: { initialMs: 20, maxMs: 200 } };

  beforeAll(async () => {
    database = await createTestDatabase(['ledger']);
    db = ledgerClient(database.urlFor('ledger'));
  });
  afterEach(async () => {
    await harness?.close();
  });
  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  it.each(['serialization-failure', 'deadlock'] as const)(
    'waits out a %s far past the attempts, dead-letters nothing, and applies the event once it clears',
    async (condition) => {
      harness = new Harness();
      await harness.createTopics(['payment.authorized']);
      const handler = new ScriptedHandler();
      handler.condition = condition;
      const logger = recordingLogger();
      await harness.consume(db, [handler], { ...budget, logger });
      const event = authorized();
      await harness.publish(event);

      await waitFor(() => handler.failures >= 5 * budget.maxAttempts, { what: `the ${condition} to go on` });
      expect(await harness.deadLetterCount('payment.authorized')).toBe(0);
      expect(logger.said('database unavailable; waiting').length).toBeGreaterThan(0);
      expect(logger.said('database unavailable; waiting')[0]).toMatchObject({ reason: 'write-conflict' });
      expect(logger.said('handler failed; retrying')).toHaveLength(0);

      handler.condition = undefined;
      await applied(event.eventId, 'the event once the conflicts stop');
      const later = authorized(event.aggregateId);
      await harness.publish(later);
      await applied(later.eventId, 'the next event');
      expect(await entries(event.eventId)).toBe(1);
      expect(await harness.deadLetterCount('payment.authorized')).toBe(0);
    },
  );

  it('waits for a provider that is down behind its open breaker, then applies the event once', async () => {
    harness = new Harness();
    await harness.createTopics(['payment.authorized']);
    const handler = new ScriptedHandler();
    handler.condition = 'provider-down';
    handler.provider.down = true;
    const logger = recordingLogger();
    await harness.consume(db, [handler], { ...budget, logger });
    const event = authorized();
    await harness.publish(event);

    await waitFor(() => handler.failures >= 5 * budget.maxAttempts, { what: 'the provider outage to go on' });
    // The open breaker spared the provider: most tries failed at once, without calling it.
    expect(handler.provider.calls).toBeLessThan(handler.failures);
    expect(await harness.deadLetterCount('payment.authorized')).toBe(0);
    expect(logger.said('provider unavailable; waiting')[0]).toMatchObject({ provider: 'card-network' });
    expect(logger.said('database unavailable; waiting')).toHaveLength(0);

    handler.provider.down = false;
    handler.condition = undefined;
    await applied(event.eventId, 'the event once the provider is back');
    expect(await entries(event.eventId)).toBe(1);
    expect(await harness.deadLetterCount('payment.authorized')).toBe(0);
  });

  it("does not take a provider's untyped socket error for a database outage: it dead-letters after its attempts", async () => {
    harness = new Harness();
    await harness.createTopics(['payment.authorized']);
    const handler = new ScriptedHandler();
    handler.condition = 'provider-socket-error';
    const logger = recordingLogger();
    await harness.consume(db, [handler], { ...budget, logger });
    const failing = authorized();
    // Behind it on the same partition: it goes on once the failing one is dead-lettered.
    const next = authorized(failing.aggregateId);
    handler.only = new Set([failing.eventId]);
    await harness.publish(failing, next);

    await applied(next.eventId, 'the event behind the dead-lettered one');
    expect(await harness.deadLetterCount('payment.authorized')).toBe(1);
    expect(handler.failures).toBe(budget.maxAttempts);
    expect(await entries(failing.eventId)).toBe(0);
    expect(logger.said('database unavailable; waiting')).toHaveLength(0);
  });

  it('still dead-letters a permanent failure after its attempts, and goes on with the partition', async () => {
    harness = new Harness();
    await harness.createTopics(['payment.authorized']);
    const handler = new ScriptedHandler();
    handler.condition = 'rule-violation';
    await harness.consume(db, [handler], budget);
    const failing = authorized();
    const next = authorized(failing.aggregateId);
    handler.only = new Set([failing.eventId]);
    await harness.publish(failing, next);

    await applied(next.eventId, 'the event behind the dead-lettered one');
    expect(await harness.deadLetterCount('payment.authorized')).toBe(1);
    expect(handler.failures).toBe(budget.maxAttempts);
    expect(await entries(failing.eventId)).toBe(0);
  });

  it('lets the other partitions go on while one waits for its provider', async () => {
    harness = new Harness();
    await harness.createTopics(['payment.authorized']);
    const handler = new ScriptedHandler();
    const stuck = authorized();
    handler.only = new Set([stuck.eventId]);
    handler.condition = 'provider-down';
    handler.provider.down = true;
    await harness.consume(db, [handler], budget);
    await harness.publish(stuck);
    await waitFor(() => handler.failures >= 3, { what: 'the first partition to wait' });

    // Published after the wait began, on another partition: applied while the first still waits.
    const others = [authorized(), authorized()];
    await harness.send(
      'payment.authorized',
      others.map((e) => ({ key: e.aggregateId, value: JSON.stringify(e) })),
      1,
    );
    for (const e of others) await applied(e.eventId, 'an event of another partition');
    expect(await entries(stuck.eventId)).toBe(0);

    handler.provider.down = false;
    handler.condition = undefined;
    await applied(stuck.eventId, 'the waiting event once the provider is back');
    expect(await entries(stuck.eventId)).toBe(1);
    expect(await harness.deadLetterCount('payment.authorized')).toBe(0);
  });
});
