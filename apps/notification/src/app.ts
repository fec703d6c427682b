import { SERVICES } from '@commerce/contracts';
import { KafkaEventTransport } from '@commerce/messaging';
import type { AppSpec } from '@commerce/platform';
import { type NotificationConfig, notificationConfigSchema } from './notification.config.ts';
import { NotificationModule } from './notification.module.ts';
import { notificationsApi } from './notifications/notifications.api.ts';

export { type NotificationConfig, notificationConfigSchema } from './notification.config.ts';

/** The notification app: its HTTP prefix and port (docs/contract.md), its configuration, its root module and its event transport. */
export const notificationApp: AppSpec<NotificationConfig> = {
  service: 'notification',
  prefix: SERVICES.notification.prefix,
  defaultPort: SERVICES.notification.port,
  configSchema: notificationConfigSchema,
  module: () => NotificationModule,
  api: notificationsApi,
  // Consumes the events its @EventPattern handlers name, in the same process as HTTP.
  connect: (app) => app.connectMicroservice({ strategy: app.get(KafkaEventTransport) }, { inheritAppConfig: true }),
};
