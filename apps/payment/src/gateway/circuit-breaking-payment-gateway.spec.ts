import { ProviderUnavailableError } from '@commerce/platform';
import { waitFor } from '@commerce/testing';
import { describe, expect, it } from 'vitest';
import { CircuitBreakingPaymentGateway } from './circuit-breaking-payment-gateway.ts';
import {
  type Authorization,
  type AuthorizeRequest,
  type CaptureRequest,
  PaymentGateway,
  type VoidRequest,
} from './payment-gateway.ts';

const socketError = () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', syscall: 'read' });

/** A card network the test scripts: what its next calls throw, and how often it was called. */
class ScriptedNetwork extends PaymentGateway {
  calls = 0;
  failWith?: () => unknown;
  hangs = false;

  private async answer<T>(value: T): Promise<T> {
    this.calls++;
    if (this.hangs) await new Promise(() => undefined);
    if (this.failWith) throw this.failWith();
    return value;
  }

  authorize({ token }: AuthorizeRequest): Promise<Authorization> {
    return this.answer(
      token === 'tok_ok' ? { approved: true, authorizationId: 'auth_1' } : { approved: false, reason: 'DECLINED' },
    );
  }

  capture(_request: CaptureRequest): Promise<void> {
    return this.answer(undefined);
  }

  void(_request: VoidRequest): Promise<void> {
    return this.answer(undefined);
  }
}

// Open for half a second at least: long enough to look at it open, on a busy machine too.
const options = { failuresToOpen: 3, halfOpenAfter: { initialMs: 1_000, maxMs: 1_000 }, callTimeoutMs: 100 };
const capture = { authorizationId: 'auth_1', amountCents: 100 };
const request = { reference: 'order-1', amountCents: 100, currency: 'USD', token: 'tok_ok' };

describe('CircuitBreakingPaymentGateway', () => {
  it("passes the network's answers through, declines included", async () => {
    const gateway = new CircuitBreakingPaymentGateway(new ScriptedNetwork(), options);
    expect(await gateway.authorize(request)).toEqual({ approved: true, authorizationId: 'auth_1' });
    expect(await gateway.authorize({ ...request, token: 'tok_decline' })).toEqual({
      approved: false,
      reason: 'DECLINED',
    });
    await expect(gateway.void({ reference: 'order-1' })).resolves.toBeUndefined();
  });

  it("types the network's socket error as ProviderUnavailableError, keeping it as the cause", async () => {
    const network = new ScriptedNetwork();
    network.failWith = socketError;
    const gateway = new CircuitBreakingPaymentGateway(network, options);
    const error = await gateway.capture(capture).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(error).toMatchObject({ provider: 'payment-gateway', circuitOpen: false, cause: { code: 'ECONNRESET' } });
  });

  it('gives up on a call the network does not answer in time, as unavailable', async () => {
    const network = new ScriptedNetwork();
    network.hangs = true;
    const gateway = new CircuitBreakingPaymentGateway(network, options);
    await expect(gateway.authorize(request)).rejects.toThrow(/payment-gateway unavailable: no answer within 100 ms/);
  });

  it('opens after failures in a row: calls fail at once without reaching the network, until it answers again', async () => {
    const network = new ScriptedNetwork();
    network.failWith = socketError;
    const gateway = new CircuitBreakingPaymentGateway(network, options);
    for (let i = 0; i < options.failuresToOpen; i++) await expect(gateway.capture(capture)).rejects.toThrow();
    expect(gateway.isOpen).toBe(true);
    const calls = network.calls;
    const error = await gateway.capture(capture).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ProviderUnavailableError', circuitOpen: true });
    expect(network.calls).toBe(calls);

    network.failWith = undefined;
    await waitFor(
      () =>
        gateway.capture(capture).then(
          () => true,
          () => false,
        ),
      {
        what: 'the breaker to let a call through again',
      },
    );
    expect(gateway.isOpen).toBe(false);
  });

  it('passes any other error on as it is, and does not count it against the network', async () => {
    const network = new ScriptedNetwork();
    network.failWith = () => new Error('hold auth_1 was captured: a refund, not a void');
    const gateway = new CircuitBreakingPaymentGateway(network, options);
    for (let i = 0; i < options.failuresToOpen + 2; i++) {
      const error = await gateway.void({ reference: 'order-1' }).catch((e: unknown) => e);
      expect(error).not.toBeInstanceOf(ProviderUnavailableError);
      expect(error).toMatchObject({ message: 'hold auth_1 was captured: a refund, not a void' });
    }
    expect(gateway.isOpen).toBe(false);
    expect(network.calls).toBe(options.failuresToOpen + 2);
  });
});
