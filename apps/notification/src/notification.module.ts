import { KafkaModule } from '@commerce/kafka';
import { MessagingModule } from '@commerce/messaging';
import { OutboxModule } from '@commerce/outbox';
import { DatabaseModule } from '@commerce/platform';
import { Module } from '@nestjs/common';
import { MailDispatcher } from './mail/mail-dispatcher.ts';
import { SmtpMailer } from './mail/smtp-mailer.ts';
import { NotificationDatabase } from './notification.database.ts';
import { NotificationSignals } from './notification-signals.ts';
import { NotificationStreams } from './notifications/notification-streams.ts';
import { NotificationsController } from './notifications/notifications.controller.ts';
import { NotificationsRepository } from './notifications/notifications.repository.ts';
import { RecordOrderCancelledHandler } from './notifications/record-order-cancelled.handler.ts';
import { RecordOrderConfirmedHandler } from './notifications/record-order-confirmed.handler.ts';
import { RecordOrderReceivedHandler } from './notifications/record-order-received.handler.ts';
import { RecordWelcomeHandler } from './notifications/record-welcome.handler.ts';
import { SentNotificationFeed } from './notifications/sent-notification-feed.ts';
import { UsersRepository } from './users/users.repository.ts';

// Shared by the HTTP side, the mail dispatcher and the event handlers (MessagingModule imports it).
const repositories = [NotificationsRepository, UsersRepository];

@Module({ providers: repositories, exports: repositories })
class NotificationRepositoriesModule {}

@Module({
  imports: [
    DatabaseModule.forRoot(NotificationDatabase),
    KafkaModule.forRoot(),
    NotificationRepositoriesModule,
    // The app publishes no events, but every app runs the same outbox: readiness reports it and a
    // future event needs only a `produces` entry.
    OutboxModule.forRoot({ produces: [] }),
    MessagingModule.forRoot({
      database: NotificationDatabase,
      handlers: [
        RecordWelcomeHandler,
        RecordOrderReceivedHandler,
        RecordOrderConfirmedHandler,
        RecordOrderCancelledHandler,
      ],
      imports: [NotificationRepositoriesModule],
    }),
  ],
  controllers: [NotificationsController],
  providers: [NotificationSignals, SentNotificationFeed, NotificationStreams, SmtpMailer, MailDispatcher],
})
export class NotificationModule {}
