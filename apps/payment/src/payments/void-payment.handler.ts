import { Outbox } from '@commerce/outbox';
import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { PaymentGateway } from '../gateway/payment-gateway.ts';
import { VoidPaymentCommand } from './void-payment.command.ts';
import { logNothing } from './decision-log.ts';
import { decide } from './payment-rules.ts';
import { PaymentsRepository, stateOf } from './payments.repository.ts';

/**
 * order.cancelled: void the order's authorization, or remember the cancellation so a late order.placed
 * is refused, voiding by reference either way: the provider may hold money for an order whose payment
 * row was never committed.
 */
@CommandHandler(VoidPaymentCommand)
export class VoidPaymentHandler implements ICommandHandler<VoidPaymentCommand> {
  private readonly logger = new Logger(VoidPaymentHandler.name);

  constructor(
    private readonly payments: PaymentsRepository,
    private readonly gateway: PaymentGateway,
    private readonly outbox: Outbox,
  ) {}

  async execute({ event, tx }: VoidPaymentCommand): Promise<void> {
    const { orderId, customerId, reason } = event.data;
    await this.payments.lockOrder(tx, orderId);
    const record = await this.payments.recordOf(tx, orderId);
    const decision = decide(stateOf(record), 'order.cancelled');
    if (decision.action === 'tombstone') {
      // An order.placed whose transaction died after the provider said yes left a hold no row knows of.
      await this.gateway.void({ reference: orderId });
      await this.payments.tombstone(tx, { orderId, customerId, reason, eventId: event.eventId });
      this.logger.log(
        { orderId },
        'order.cancelled before order.placed: remembered, a late order.placed will be refused',
      );
      return;
    }
    if (decision.action !== 'void') {
      if (decision.action === 'nothing') logNothing(this.logger, decision, { orderId, eventType: event.eventType });
      return;
    }
    const payment = record.payment!;
    await this.gateway.void({ reference: orderId });
    if (!(await this.payments.settle(tx, orderId, 'VOIDED'))) return;
    await this.outbox.add(
      tx,
      this.outbox.event(
        'payment.voided',
        { orderId, paymentId: payment.id, amountCents: payment.amountCents, currency: payment.currency },
        orderId,
      ),
    );
  }
}
