import { SERVICES } from '@commerce/contracts';
import { type AppSpec, type BaseConfig, baseConfigSchema } from '@commerce/platform';
import { OrderModule } from './order.module.ts';

/** The order app: its HTTP prefix and port (CONTRACT.md), its configuration and its root module. */
export const orderApp: AppSpec<BaseConfig> = {
  service: 'order',
  prefix: SERVICES.order.prefix,
  defaultPort: SERVICES.order.port,
  configSchema: baseConfigSchema,
  module: () => OrderModule,
};
