import { projectConfig } from './vitest.shared.ts';

/**
 * The unit specs of the pure decision code, for StrykerJS (stryker.config.json): no global setup,
 * so no Kafka or PostgreSQL is started for the hundreds of runs a mutation pass makes.
 */
export default projectConfig('.', {
  name: 'mutation',
  include: [
    'apps/order/src/orders/order.entity.spec.ts',
    'apps/order/src/orders/order-cursor.spec.ts',
    'apps/inventory/src/reservations/reservation-rules.spec.ts',
    'apps/payment/src/payments/payment-rules.spec.ts',
    'libs/contracts/src/catalog.spec.ts',
  ],
  globalSetup: [],
  maxWorkers: 1,
});
