import { resolve } from 'node:path';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

/**
 * The unit specs of the pure decision code, for StrykerJS (stryker.config.json): no global setup,
 * so no Kafka or PostgreSQL is started for the thousands of runs a mutation pass makes.
 */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [
    swc.vite({
      tsconfigFile: false,
      jsc: {
        target: 'es2023',
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
      },
    }),
  ],
  resolve: { tsconfigPaths: true },
  oxc: false,
  test: {
    name: 'mutation',
    dir: resolve(import.meta.dirname),
    include: [
      'apps/order/src/orders/order.entity.spec.ts',
      'apps/order/src/orders/order-cursor.spec.ts',
      'apps/inventory/src/reservations/reservation-rules.spec.ts',
      'apps/payment/src/payments/payment-rules.spec.ts',
      'libs/contracts/src/catalog.spec.ts',
    ],
    pool: 'forks',
    maxWorkers: 1,
  },
});
