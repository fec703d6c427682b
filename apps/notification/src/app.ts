import { SERVICES } from '@commerce/contracts';
import type { AppSpec } from '@commerce/platform';
import { type NotificationConfig, notificationConfigSchema } from './notification.config.ts';
import { NotificationModule } from './notification.module.ts';

export { type NotificationConfig, notificationConfigSchema } from './notification.config.ts';

/** The notification app: its HTTP prefix and port (CONTRACT.md), its configuration and its root module. */
export const notificationApp: AppSpec<NotificationConfig> = {
  service: 'notification',
  prefix: SERVICES.notification.prefix,
  defaultPort: SERVICES.notification.port,
  configSchema: notificationConfigSchema,
  module: () => NotificationModule,
};
