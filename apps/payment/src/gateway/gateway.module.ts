import { Module } from '@nestjs/common';
import { PaymentGateway } from './payment-gateway.ts';
import { SimulatedPaymentGateway } from './simulated-payment-gateway.ts';

/** The card network behind the PaymentGateway port: a real provider's adapter replaces this one binding. */
@Module({
  providers: [{ provide: PaymentGateway, useClass: SimulatedPaymentGateway }],
  exports: [PaymentGateway],
})
export class GatewayModule {}
