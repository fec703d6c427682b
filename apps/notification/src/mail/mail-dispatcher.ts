import { APP_CONFIG, backoff, ReadinessRegistry, Wakeup } from '@commerce/platform';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import type { NotificationConfig } from '../notification.config.ts';
import { NotificationDatabase } from '../notification.database.ts';
import { messageIdOf } from '../notifications/notification.entity.ts';
import { NotificationSignals } from '../notifications/notification-signals.ts';
import type { SentNotificationOf } from '../notifications/notification.view.ts';
import { NotificationsRepository } from '../notifications/notifications.repository.ts';
import { SentNotificationFeed } from '../notifications/sent-notification-feed.ts';
import { SmtpMailer } from './smtp-mailer.ts';

/** What one dispatch did: sent an email, failed to (it backs off), or found none due. */
export type DispatchOutcome = 'sent' | 'failed' | 'idle';

// After this many failed sends in a row the SMTP server is down, not one address: rest until the next poll.
const FAILURES_BEFORE_REST = 3;

/**
 * Sends the recorded emails over SMTP. The use cases only record a row in the event's transaction:
 * sending from inside it would email again each time that transaction later failed and was retried.
 * Here each worker locks one due row (FOR UPDATE SKIP LOCKED, so replicas share the table), sends it,
 * and marks it sent in the same transaction: an email goes out at most once per row, except when the
 * process dies (or the database fails) between the SMTP server's accept and the commit of the mark —
 * then the row is still unsent and the email goes again, with the same Message-ID. A refused email
 * backs off (attempts, next_attempt_at, last_error) and is retried until it goes; one whose user is
 * not known yet is not claimed until user.created arrives. Woken by NOTIFY when a transaction that
 * recorded an email commits (a handler cannot see its own commit), and polls.
 */
@Injectable()
export class MailDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('MailDispatcher');
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly wakeup = new Wakeup();
  private wakeUps?: Subscription;

  constructor(
    private readonly db: NotificationDatabase,
    private readonly notifications: NotificationsRepository,
    private readonly mailer: SmtpMailer,
    private readonly signals: NotificationSignals,
    private readonly feed: SentNotificationFeed,
    private readonly readiness: ReadinessRegistry,
    @Inject(APP_CONFIG) private readonly config: NotificationConfig,
  ) {}

  onApplicationBootstrap(): void {
    // Informational: an SMTP outage delays email but does not make the app unfit to serve.
    this.readiness.register({
      name: 'mail',
      probe: async () => ({ ...(await this.notifications.backlog()), listening: this.signals.isListening }),
    });
    this.start();
  }

  // Before the platform closes the database (onApplicationShutdown): the email in hand finishes first.
  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  /** Starts the workers in the background. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.wakeUps = this.signals.pending.subscribe(() => this.wake());
    this.loops = Array.from({ length: this.config.MAIL_CONCURRENCY }, () => this.run());
  }

  /** Stops claiming, lets the emails in hand finish, and waits for the workers. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wakeUps?.unsubscribe();
    this.wake();
    await Promise.all(this.loops);
  }

  /** Wakes a sleeping worker now. */
  wake(): void {
    this.wakeup.wake();
  }

  /** Claims one due email and sends it, or backs it off if SMTP refuses it. */
  async dispatchOne(): Promise<DispatchOutcome> {
    let sent: SentNotificationOf | undefined;
    const outcome = await this.db.$transaction(
      async (tx): Promise<DispatchOutcome> => {
        const email = await this.notifications.claimDue(tx);
        if (!email) return 'idle';
        const messageId = messageIdOf(email.id);
        try {
          await this.mailer.send({ to: email.email, subject: email.subject, text: email.body, messageId });
        } catch (error) {
          const attempts = email.attempts + 1;
          const delay = backoff(attempts, {
            initialMs: this.config.MAIL_RETRY_INITIAL_MS,
            maxMs: this.config.MAIL_RETRY_MAX_MS,
          });
          await this.notifications.backOff(tx, email.id, (error as Error).message ?? String(error), delay);
          this.logger.warn(
            { notificationId: email.id, type: email.type, attempts, retryInMs: delay, err: error },
            'email not accepted by SMTP; backing off',
          );
          return 'failed';
        }
        // The crash window: SMTP has the email, and until this commits the row still says unsent.
        sent = await this.notifications.markSent(tx, email.id, messageId);
        if (sent) await this.signals.announceSent(tx, sent);
        return 'sent';
      },
      // Longer than the longest send, so the transaction never times out around an accepted email.
      { timeout: this.mailer.sendLimitMs + 15_000, maxWait: 10_000 },
    );
    if (sent) {
      this.logger.log({ notificationId: sent.id, type: sent.type, orderId: sent.orderId }, 'email sent');
      this.feed.publish(sent);
    }
    return outcome;
  }

  private async run(): Promise<void> {
    let failedSends = 0;
    let errors = 0;
    while (this.running) {
      let outcome: DispatchOutcome | 'error';
      try {
        outcome = await this.dispatchOne();
        errors = 0;
      } catch (error) {
        outcome = 'error';
        errors++;
        if (errors === 1 || errors % 20 === 0) this.logger.error({ err: error, errors }, 'mail dispatch failed');
      }
      if (!this.running) break;
      failedSends = outcome === 'failed' ? failedSends + 1 : 0;
      // More may be due: go on at once, unless nothing was due, the database fails, or SMTP is down.
      if (outcome === 'sent' || (outcome === 'failed' && failedSends < FAILURES_BEFORE_REST)) continue;
      failedSends = 0;
      await this.sleep(this.config.MAIL_POLL_INTERVAL_MS);
    }
  }

  private sleep(ms: number): Promise<void> {
    return this.wakeup.sleep(ms);
  }
}
