import { KafkaModule } from '@commerce/kafka';
import { MessagingModule } from '@commerce/messaging';
import { OutboxModule } from '@commerce/outbox';
import { DatabaseModule } from '@commerce/platform';
import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { MailModule } from './mail/mail.module.ts';
import { NotificationDatabase } from './notification.database.ts';
import { NotificationsModule } from './notifications/notifications.module.ts';
import { UsersModule } from './users/users.module.ts';

/** The notification app: infrastructure, then its features (users, notifications, mail). */
@Module({
  imports: [
    DatabaseModule.forRoot(NotificationDatabase),
    KafkaModule.forRoot(),
    // The app publishes no events, but every app runs the same outbox: readiness reports it and a
    // future event needs only a `produces` entry.
    OutboxModule.forRoot({ produces: [] }),
    MessagingModule.forRoot({ database: NotificationDatabase }),
    CqrsModule.forRoot(),
    UsersModule,
    NotificationsModule,
    MailModule,
  ],
})
export class NotificationModule {}
