import { SERVICES } from '@commerce/contracts';
import { type AppSpec, type BaseConfig, baseConfigSchema } from '@commerce/platform';
import { NotificationModule } from './notification.module.ts';

/** The notification app: its HTTP prefix and port (CONTRACT.md), its configuration and its root module. */
export const notificationApp: AppSpec<BaseConfig> = {
  service: 'notification',
  prefix: SERVICES.notification.prefix,
  defaultPort: SERVICES.notification.port,
  configSchema: baseConfigSchema,
  module: () => NotificationModule,
};
