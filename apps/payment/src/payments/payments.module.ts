import { Module } from '@nestjs/common';
import { PaymentGateway } from '../gateway/payment-gateway.ts';
import { SimulatedPaymentGateway } from '../gateway/simulated-payment-gateway.ts';
import { PaymentsController } from './payments.controller.ts';
import { PaymentsRepository } from './payments.repository.ts';

/** Payments: the route, the repository and the card network, which the event handlers also use. */
@Module({
  controllers: [PaymentsController],
  providers: [
    PaymentsRepository,
    // The card network behind the port: a real provider's adapter replaces this one line.
    { provide: PaymentGateway, useClass: SimulatedPaymentGateway },
  ],
  exports: [PaymentsRepository, PaymentGateway],
})
export class PaymentsModule {}
