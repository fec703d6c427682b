import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module.ts';
import { MailDispatcher } from './mail-dispatcher.ts';
import { SmtpMailer } from './smtp-mailer.ts';

/** Sends the recorded notifications over SMTP, in the background, on every replica. */
@Module({
  imports: [NotificationsModule],
  providers: [SmtpMailer, MailDispatcher],
})
export class MailModule {}
