import { Outbox } from '@commerce/outbox';
import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { PaymentGateway } from '../gateway/payment-gateway.ts';
import { CapturePaymentCommand } from './capture-payment.command.ts';
import { logNothing } from './decision-log.ts';
import { decide } from './payment-rules.ts';
import { PaymentsRepository, stateOf } from './payments.repository.ts';

/** order.confirmed: capture the authorized payment, once. */
@CommandHandler(CapturePaymentCommand)
export class CapturePaymentHandler implements ICommandHandler<CapturePaymentCommand> {
  private readonly logger = new Logger(CapturePaymentHandler.name);

  constructor(
    private readonly payments: PaymentsRepository,
    private readonly gateway: PaymentGateway,
    private readonly outbox: Outbox,
  ) {}

  async execute({ event, tx }: CapturePaymentCommand): Promise<void> {
    const { orderId } = event.data;
    await this.payments.lockOrder(tx, orderId);
    const record = await this.payments.recordOf(tx, orderId);
    const decision = decide(stateOf(record), 'order.confirmed');
    // The order is confirmed only after payment.authorized, which left with the payment row: no row
    // means this app's data is behind (or was lost), so retry, then leave it in the DLQ for a person.
    if (decision.action === 'retry') throw new Error(`${decision.why} (order ${orderId})`);
    if (decision.action !== 'capture') {
      if (decision.action === 'nothing') logNothing(this.logger, decision, { orderId, eventType: event.eventType });
      return;
    }
    const payment = record.payment!;
    if (event.data.totalCents !== payment.amountCents)
      this.logger.warn(
        { orderId, totalCents: event.data.totalCents, amountCents: payment.amountCents },
        'order.confirmed: the order total differs from the authorized amount; capturing the authorized amount',
      );
    await this.gateway.capture({ authorizationId: payment.authorizationId!, amountCents: payment.amountCents });
    if (!(await this.payments.settle(tx, orderId, 'CAPTURED'))) return;
    await this.outbox.add(
      tx,
      this.outbox.event(
        'payment.captured',
        { orderId, paymentId: payment.id, amountCents: payment.amountCents, currency: payment.currency },
        orderId,
      ),
    );
  }
}
