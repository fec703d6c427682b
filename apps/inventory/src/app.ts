import { SERVICES } from '@commerce/contracts';
import { KafkaEventTransport } from '@commerce/messaging';
import { type AppSpec, type BaseConfig, baseConfigSchema } from '@commerce/platform';
import { InventoryModule } from './inventory.module.ts';

/** The inventory app: its HTTP prefix and port (docs/contract.md), its configuration, its root module and its event transport. */
export const inventoryApp: AppSpec<BaseConfig> = {
  service: 'inventory',
  prefix: SERVICES.inventory.prefix,
  defaultPort: SERVICES.inventory.port,
  configSchema: baseConfigSchema,
  module: () => InventoryModule,
  // Consumes the events its @EventPattern handlers name, in the same process as HTTP.
  connect: (app) => app.connectMicroservice({ strategy: app.get(KafkaEventTransport) }, { inheritAppConfig: true }),
};
