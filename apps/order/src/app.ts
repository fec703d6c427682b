import { SERVICES } from '@commerce/contracts';
import { KafkaEventTransport } from '@commerce/messaging';
import { type AppSpec, type BaseConfig, baseConfigSchema } from '@commerce/platform';
import { OrderModule } from './order.module.ts';

/** The order app: its HTTP prefix and port (docs/contract.md), its configuration, its root module and its event transport. */
export const orderApp: AppSpec<BaseConfig> = {
  service: 'order',
  prefix: SERVICES.order.prefix,
  defaultPort: SERVICES.order.port,
  configSchema: baseConfigSchema,
  module: () => OrderModule,
  // Consumes the events its @EventPattern handlers name, in the same process as HTTP.
  connect: (app) => app.connectMicroservice({ strategy: app.get(KafkaEventTransport) }, { inheritAppConfig: true }),
};
