import { SERVICES } from '@commerce/contracts';
import { type AppSpec, type BaseConfig, baseConfigSchema } from '@commerce/platform';
import { PaymentModule } from './payment.module.ts';

/** The payment app: its HTTP prefix and port (CONTRACT.md), its configuration and its root module. */
export const paymentApp: AppSpec<BaseConfig> = {
  service: 'payment',
  prefix: SERVICES.payment.prefix,
  defaultPort: SERVICES.payment.port,
  configSchema: baseConfigSchema,
  module: () => PaymentModule,
};
