import { SERVICES } from '@commerce/contracts';
import { type AppSpec, type BaseConfig, baseConfigSchema } from '@commerce/platform';
import { InventoryModule } from './inventory.module.ts';

/** The inventory app: its HTTP prefix and port (CONTRACT.md), its configuration and its root module. */
export const inventoryApp: AppSpec<BaseConfig> = {
  service: 'inventory',
  prefix: SERVICES.inventory.prefix,
  defaultPort: SERVICES.inventory.port,
  configSchema: baseConfigSchema,
  module: () => InventoryModule,
};
