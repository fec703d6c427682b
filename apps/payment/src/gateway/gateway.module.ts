import { Module } from '@nestjs/common';
import { CircuitBreakingPaymentGateway } from './circuit-breaking-payment-gateway.ts';
import { PaymentGateway } from './payment-gateway.ts';
import { SimulatedPaymentGateway } from './simulated-payment-gateway.ts';

/**
 * A card network bound under this token by a global module replaces the simulated one: how a test
 * puts its recording provider behind the port without a second wiring of the app.
 */
export const CARD_NETWORK = Symbol('CARD_NETWORK');

/**
 * The card network behind the PaymentGateway port, guarded by a circuit breaker: a real provider's
 * adapter replaces the simulated one, inside the same breaker.
 */
@Module({
  providers: [
    SimulatedPaymentGateway,
    {
      provide: PaymentGateway,
      useFactory: (simulated: SimulatedPaymentGateway, network?: PaymentGateway) =>
        new CircuitBreakingPaymentGateway(network ?? simulated),
      inject: [SimulatedPaymentGateway, { token: CARD_NETWORK, optional: true }],
    },
  ],
  exports: [PaymentGateway],
})
export class GatewayModule {}
