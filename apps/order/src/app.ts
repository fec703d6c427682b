import { SERVICES } from '@commerce/contracts';
import { KafkaEventTransport } from '@commerce/messaging';
import type { AppSpec } from '@commerce/platform';
import { type OrderConfig, orderConfigSchema } from './order.config.ts';
import { OrderModule } from './order.module.ts';
import { ordersApi } from './orders/orders.api.ts';

/** The order app: its HTTP prefix and port (docs/contract.md), its configuration, its root module and its event transport. */
export const orderApp: AppSpec<OrderConfig> = {
  service: 'order',
  prefix: SERVICES.order.prefix,
  defaultPort: SERVICES.order.port,
  configSchema: orderConfigSchema,
  module: () => OrderModule,
  api: ordersApi,
  // Consumes the events its @EventPattern handlers name, in the same process as HTTP.
  connect: (app) => app.connectMicroservice({ strategy: app.get(KafkaEventTransport) }, { inheritAppConfig: true }),
};
