import { Module } from '@nestjs/common';
import { GatewayModule } from '../gateway/gateway.module.ts';
import { AuthorizePaymentHandler } from './authorize-payment.handler.ts';
import { CapturePaymentHandler } from './capture-payment.handler.ts';
import { GetPaymentHandler } from './get-payment.query.ts';
import { PaymentEventsController } from './payment-events.controller.ts';
import { PaymentsController } from './payments.controller.ts';
import { PaymentsRepository } from './payments.repository.ts';
import { VoidPaymentHandler } from './void-payment.handler.ts';

/**
 * Payments: authorized, captured and voided as the order's events arrive (PaymentEventsController),
 * shown to the order's customer over HTTP (PaymentsController). The card network is the gateway's.
 */
@Module({
  imports: [GatewayModule],
  controllers: [PaymentsController, PaymentEventsController],
  providers: [
    PaymentsRepository,
    AuthorizePaymentHandler,
    CapturePaymentHandler,
    VoidPaymentHandler,
    GetPaymentHandler,
  ],
})
export class PaymentsModule {}
