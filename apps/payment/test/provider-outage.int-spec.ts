import { ProviderUnavailableError } from '@commerce/platform';
import { waitFor } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptureRequest, VoidRequest } from '../src/gateway/payment-gateway.ts';
import { RecordingPaymentGateway } from './recording-payment-gateway.ts';
import { cancelled, confirmed, PaymentWorld, placed } from './support.ts';

/**
 * The recording card network, which can be made unavailable: a capture then fails with a socket
 * error, and a void with the adapter's own ProviderUnavailableError (as for an HTTP 503).
 */
class UnreachableNetwork extends RecordingPaymentGateway {
  down = false;
  /** Calls that reached the network while it was down, by kind. */
  refused = { capture: 0, void: 0 };

  override async capture(request: CaptureRequest): Promise<void> {
    if (this.down) {
      this.refused.capture++;
      throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', syscall: 'read' });
    }
    return super.capture(request);
  }

  override async void(request: VoidRequest): Promise<void> {
    if (this.down) {
      this.refused.void++;
      throw new ProviderUnavailableError('card-network', 'answered 503 Service Unavailable');
    }
    return super.void(request);
  }
}

describe('payment while the card network is unreachable', () => {
  const network = new UnreachableNetwork();
  const world = new PaymentWorld();

  beforeAll(async () => {
    // Two attempts within about 50 ms: what a failing handler gets before its event is dead-lettered.
    await world.start(
      { CONSUMER_MAX_ATTEMPTS: '2', CONSUMER_RETRY_INITIAL_MS: '20', CONSUMER_RETRY_MAX_MS: '50' },
      { network },
    );
  });
  afterAll(async () => {
    network.down = false;
    await world.stop();
  });

  /** Messages on a topic's dead-letter topic. */
  async function deadLetters(type: 'order.confirmed' | 'order.cancelled'): Promise<number> {
    const admin = world.kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(`${world.topic(type)}.dlq`);
      return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
    } finally {
      await admin.disconnect();
    }
  }

  it(
    'waits out the outage far past the attempts, dead-letters neither order.confirmed nor order.cancelled, and settles each once',
    { timeout: 180_000 },
    async () => {
      const toCapture = placed();
      const toVoid = placed();
      await world.send([toCapture, toVoid]);
      await world.waitForPublished(toCapture.data.orderId, 'payment.authorized');
      await world.waitForPublished(toVoid.data.orderId, 'payment.authorized');

      network.down = true;
      await world.send([confirmed(toCapture), cancelled(toVoid.data.orderId, toVoid.data.customerId)]);
      // Each handler failed on the network more often than it had attempts (the circuit breaker lets
      // a call through now and then, after a pause growing from 1 s to 10 s: on a busy machine this
      // takes tens of seconds).
      await waitFor(() => network.refused.capture > 2 && network.refused.void > 2, {
        timeoutMs: 90_000,
        what: 'the outage to outlast the attempts',
      });
      expect(await deadLetters('order.confirmed')).toBe(0);
      expect(await deadLetters('order.cancelled')).toBe(0);
      expect(network.holdFor(toCapture.data.orderId)).toMatchObject({ state: 'HELD' });
      expect(network.holdFor(toVoid.data.orderId)).toMatchObject({ state: 'HELD' });

      network.down = false;
      await world.waitForPublished(toCapture.data.orderId, 'payment.captured');
      await world.waitForPublished(toVoid.data.orderId, 'payment.voided');
      expect(network.holdFor(toCapture.data.orderId)).toMatchObject({ state: 'CAPTURED' });
      expect(network.holdFor(toVoid.data.orderId)).toMatchObject({ state: 'VOIDED' });
      expect(await world.allPublished(toCapture.data.orderId)).toEqual(['payment.authorized', 'payment.captured']);
      expect(await world.allPublished(toVoid.data.orderId)).toEqual(['payment.authorized', 'payment.voided']);
      expect(await deadLetters('order.confirmed')).toBe(0);
      expect(await deadLetters('order.cancelled')).toBe(0);
    },
  );
});
