import { SERVICES } from '@commerce/contracts';
import { KafkaEventTransport } from '@commerce/messaging';
import { type AppSpec, type BaseConfig, baseConfigSchema } from '@commerce/platform';
import { PaymentModule } from './payment.module.ts';
import { paymentsApi } from './payments/payments.api.ts';

/** The payment app: its HTTP prefix and port (docs/contract.md), its configuration, its root module and its event transport. */
export const paymentApp: AppSpec<BaseConfig> = {
  service: 'payment',
  prefix: SERVICES.payment.prefix,
  defaultPort: SERVICES.payment.port,
  configSchema: baseConfigSchema,
  module: () => PaymentModule,
  api: paymentsApi,
  // Consumes the events its @EventPattern handlers name, in the same process as HTTP.
  connect: (app) => app.connectMicroservice({ strategy: app.get(KafkaEventTransport) }, { inheritAppConfig: true }),
};
