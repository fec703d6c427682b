import { Module } from '@nestjs/common';
import { EndSessionStreamsHandler } from './end-session-streams.handler.ts';
import { EndedSessionsRepository } from './ended-sessions.repository.ts';
import { ListNotificationsHandler } from './list-notifications.query.ts';
import { NotificationSignals } from './notification-signals.ts';
import { NotificationStreamController } from './notification-stream.controller.ts';
import { NotificationStreams } from './notification-streams.ts';
import { NotificationsController } from './notifications.controller.ts';
import { NotificationsRepository } from './notifications.repository.ts';
import { OrderEventsController } from './order-events.controller.ts';
import { RecordOrderNotificationHandler } from './record-order-notification.handler.ts';
import { SentNotificationFeed } from './sent-notification-feed.ts';
import { SessionEventsController } from './session-events.controller.ts';

/**
 * Notifications: recorded from order events (OrderEventsController), listed and streamed to their
 * owner over HTTP; a stream ends with its login session (SessionEventsController). The table, its signals across replicas (LISTEN/NOTIFY) and the feed of sent ones
 * are exported to the users feature (welcome emails) and to mail (which sends them).
 */
@Module({
  controllers: [OrderEventsController, SessionEventsController, NotificationsController, NotificationStreamController],
  providers: [
    NotificationsRepository,
    NotificationSignals,
    SentNotificationFeed,
    NotificationStreams,
    EndedSessionsRepository,
    EndSessionStreamsHandler,
    RecordOrderNotificationHandler,
    ListNotificationsHandler,
  ],
  exports: [NotificationsRepository, NotificationSignals, SentNotificationFeed],
})
export class NotificationsModule {}
