import { Outbox } from '@commerce/outbox';
import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { PaymentGateway } from '../gateway/payment-gateway.ts';
import { AuthorizePaymentCommand } from './authorize-payment.command.ts';
import { logNothing } from './decision-log.ts';
import { decide } from './payment-rules.ts';
import { outcomeOf, type Payment } from './payment.entity.ts';
import { PaymentsRepository, stateOf } from './payments.repository.ts';

/**
 * order.placed: authorize the order's total, once per order, unless the order was already cancelled.
 * The provider is asked first, before the order's lock and before any write, then the answer is
 * recorded: a transaction that dies in between leaves a hold no row knows of, which the redelivery
 * finds again by the reference (the order id), or a cancellation voids by the same reference.
 */
@CommandHandler(AuthorizePaymentCommand)
export class AuthorizePaymentHandler implements ICommandHandler<AuthorizePaymentCommand> {
  private readonly logger = new Logger(AuthorizePaymentHandler.name);

  constructor(
    private readonly payments: PaymentsRepository,
    private readonly gateway: PaymentGateway,
    private readonly outbox: Outbox,
  ) {}

  async execute({ event, tx }: AuthorizePaymentCommand): Promise<void> {
    const { orderId, customerId, totalCents, currency, paymentToken } = event.data;
    // Unlocked look first: an order already paid or cancelled is not sent to the provider at all.
    const newHere = stateOf(await this.payments.recordOf(tx, orderId)) === 'UNKNOWN';
    const authorization = newHere
      ? await this.gateway.authorize({ reference: orderId, amountCents: totalCents, currency, token: paymentToken })
      : undefined;
    // Then the decision under the lock, on what is committed now: a cancellation may have won meanwhile.
    await this.payments.lockOrder(tx, orderId);
    const decision = decide(stateOf(await this.payments.recordOf(tx, orderId)), 'order.placed');
    if (decision.action === 'release') {
      await this.gateway.void({ reference: orderId });
      this.logger.warn({ orderId, why: decision.why }, 'order.placed: refused');
      return;
    }
    if (decision.action !== 'authorize') {
      if (decision.action === 'nothing') logNothing(this.logger, decision, { orderId, eventType: event.eventType });
      return;
    }
    // Seen unknown under the lock but not before it: rows are never deleted, so this cannot happen.
    if (!authorization) throw new Error(`order ${orderId}: no payment under the lock, though one was seen before it`);
    const payment: Payment = {
      id: randomUUID(),
      orderId,
      customerId,
      amountCents: totalCents,
      currency,
      ...outcomeOf(authorization),
    };
    // The order lock already rules out a second payment; ON CONFLICT keeps it a database fact.
    if (!(await this.payments.insert(tx, payment))) {
      this.logger.log({ orderId }, 'order.placed: another delivery made the payment first');
      return;
    }
    const amount = { orderId, paymentId: payment.id, amountCents: totalCents, currency };
    await this.outbox.add(
      tx,
      payment.failureReason
        ? this.outbox.event('payment.failed', { ...amount, reason: payment.failureReason }, orderId)
        : this.outbox.event('payment.authorized', amount, orderId),
    );
  }
}
