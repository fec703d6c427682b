import { SERVICES } from '@commerce/contracts';
import { KafkaEventTransport } from '@commerce/messaging';
import { type AppSpec, type BaseConfig, baseConfigSchema } from '@commerce/platform';
import { z } from 'zod';
import { productsApi } from './catalog/products.api.ts';
import { InventoryModule } from './inventory.module.ts';

/** The inventory app: its HTTP prefix and port (docs/contract.md), its configuration, its root module and its event transport. */
export const inventoryApp: AppSpec<BaseConfig> = {
  service: 'inventory',
  prefix: SERVICES.inventory.prefix,
  defaultPort: SERVICES.inventory.port,
  configSchema: baseConfigSchema.extend({
    // Every order's events touch the same stock rows. Batches of several partitions at once would
    // lock them in different orders and deadlock; one partition at a time takes them in turn.
    CONSUMER_PARTITIONS_CONCURRENTLY: z.coerce.number().int().min(1).max(100).default(1),
  }),
  module: () => InventoryModule,
  api: productsApi,
  // Consumes the events its @EventPattern handlers name, in the same process as HTTP.
  connect: (app) => app.connectMicroservice({ strategy: app.get(KafkaEventTransport) }, { inheritAppConfig: true }),
};
