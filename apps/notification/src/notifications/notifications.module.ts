import { Module } from '@nestjs/common';
import { ListNotificationsHandler } from './list-notifications.query.ts';
import { NotificationSignals } from './notification-signals.ts';
import { NotificationStreamController } from './notification-stream.controller.ts';
import { NotificationStreams } from './notification-streams.ts';
import { NotificationsController } from './notifications.controller.ts';
import { NotificationsRepository } from './notifications.repository.ts';
import { OrderEventsController } from './order-events.controller.ts';
import { RecordOrderNotificationHandler } from './record-order-notification.handler.ts';
import { SentNotificationFeed } from './sent-notification-feed.ts';

/**
 * Notifications: recorded from order events (OrderEventsController), listed and streamed to their
 * owner over HTTP. The table, its signals across replicas (LISTEN/NOTIFY) and the feed of sent ones
 * are exported to the users feature (welcome emails) and to mail (which sends them).
 */
@Module({
  controllers: [OrderEventsController, NotificationsController, NotificationStreamController],
  providers: [
    NotificationsRepository,
    NotificationSignals,
    SentNotificationFeed,
    NotificationStreams,
    RecordOrderNotificationHandler,
    ListNotificationsHandler,
  ],
  exports: [NotificationsRepository, NotificationSignals, SentNotificationFeed],
})
export class NotificationsModule {}
