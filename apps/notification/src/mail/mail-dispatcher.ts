import {
  APP_CONFIG,
  backoff,
  inSpan,
  ProviderUnavailableError,
  ReadinessRegistry,
  SpanKind,
  Wakeup,
} from '@commerce/platform';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import type { NotificationConfig } from '../notification.config.ts';
import { NotificationDatabase } from '../notification.database.ts';
import { messageIdOf } from '../notifications/notification.entity.ts';
import { NotificationSignals } from '../notifications/notification-signals.ts';
import type { SentNotificationOf } from '../notifications/notification.view.ts';
import { type DueEmail, NotificationsRepository } from '../notifications/notifications.repository.ts';
import { SentNotificationFeed } from '../notifications/sent-notification-feed.ts';
import { SendSlots } from './send-slots.ts';
import { SmtpMailer } from './smtp-mailer.ts';

/** What one batch did: how many emails it claimed, sent, failed to send (they back off) and left untried. */
export interface DispatchResult {
  claimed: number;
  sent: number;
  failed: number;
  /** Claimed but not tried (stopping, SMTP down, or the batch out of time): released as they were. */
  untried: number;
}

// After this many failed sends in a row the SMTP server is down, not one address: the batch tries
// no more, and its worker rests until the next poll.
const FAILURES_BEFORE_REST = 3;
// A batch claims this many emails per slot: enough to keep every slot busy between two claims.
const EMAILS_PER_SLOT = 10;
// Two workers, so one batch's database round trips and slowest email overlap the other's sends.
const WORKERS = 2;

type SendOutcome = { email: DueEmail } & (
  { outcome: 'sent' } | { outcome: 'failed'; error: unknown } | { outcome: 'untried' }
);

/**
 * Sends the recorded emails over SMTP. The use cases only record a row in the event's transaction:
 * sending from inside it would email again each time that transaction later failed and was retried.
 * Here a worker claims a batch of due rows in one statement (FOR UPDATE SKIP LOCKED, so workers and
 * replicas share the table), sends them at most MAIL_CONCURRENCY at a time (one set of slots for
 * both workers, over a pool of as many SMTP connections), and in the same transaction marks the sent
 * ones in one statement, backs the refused ones off in another, and announces the sent ones to the
 * other replicas. An email goes out at most once per row, except when the process dies (or the
 * database fails) between the SMTP server's accept and the commit of the marks — then the rows are
 * still unsent and those emails go again, with the same Message-IDs. A refused email backs off
 * (attempts, next_attempt_at, last_error) and is retried until it goes; one whose user is not known
 * yet is not claimed until user.created arrives. The first worker is woken by NOTIFY when a
 * transaction that recorded an email commits (a handler cannot see its own commit), and polls; it
 * wakes the second when a batch comes back full, so a quiet table costs one claim per wake-up.
 */
@Injectable()
export class MailDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('MailDispatcher');
  private running = false;
  private stopping = false;
  private loops: Promise<void>[] = [];
  private readonly wakeup = new Wakeup();
  private readonly helperWakeup = new Wakeup();
  private wakeUps?: Subscription;
  private readonly slots: SendSlots;
  private readonly batchSize: number;

  constructor(
    private readonly db: NotificationDatabase,
    private readonly notifications: NotificationsRepository,
    private readonly mailer: SmtpMailer,
    private readonly signals: NotificationSignals,
    private readonly feed: SentNotificationFeed,
    private readonly readiness: ReadinessRegistry,
    @Inject(APP_CONFIG) private readonly config: NotificationConfig,
  ) {
    this.slots = new SendSlots(config.MAIL_CONCURRENCY);
    this.batchSize = config.MAIL_CONCURRENCY * EMAILS_PER_SLOT;
  }

  onApplicationBootstrap(): void {
    // Informational: an SMTP outage delays email but does not make the app unfit to serve.
    this.readiness.register({
      name: 'mail',
      kind: 'component',
      probe: async () => ({ ...(await this.notifications.backlog()), listening: this.signals.isListening }),
    });
    this.start();
  }

  // Before the platform closes the database (onApplicationShutdown): the emails in flight finish first.
  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  /** Starts the workers in the background. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.wakeUps = this.signals.pending.subscribe(() => this.wake());
    this.loops = Array.from({ length: WORKERS }, (_, i) => this.run(i === 0));
  }

  /** Stops claiming, lets the emails in flight finish (the rest of their batches stay untried), and waits for the workers. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.stopping = true;
    this.wakeUps?.unsubscribe();
    this.wake();
    this.helperWakeup.wake();
    await Promise.all(this.loops);
    this.stopping = false;
  }

  /** Wakes the first worker now. */
  wake(): void {
    this.wakeup.wake();
  }

  /** Claims a batch of due emails, sends them, and marks them sent or backs them off, in one transaction. */
  async dispatchBatch(): Promise<DispatchResult> {
    let sent: SentNotificationOf[] = [];
    const result = await this.db.$transaction(
      async (tx): Promise<DispatchResult> => {
        const emails = await this.notifications.claimDue(tx, this.batchSize);
        if (emails.length === 0) return { claimed: 0, sent: 0, failed: 0, untried: 0 };
        const outcomes = await this.sendAll(emails);
        const failures = outcomes.flatMap((o) => (o.outcome === 'failed' ? [o] : []));
        await this.notifications.backOff(
          tx,
          failures.map(({ email, error }) => {
            const attempts = email.attempts + 1;
            const delayMs = backoff(attempts, {
              initialMs: this.config.MAIL_RETRY_INITIAL_MS,
              maxMs: this.config.MAIL_RETRY_MAX_MS,
            });
            this.logger.warn(
              { notificationId: email.id, type: email.type, attempts, retryInMs: delayMs, err: error },
              'email not accepted by SMTP; backing off',
            );
            return { id: email.id, error: (error as Error)?.message ?? String(error), delayMs };
          }),
        );
        // The crash window: SMTP has these emails, and until this commits their rows still say unsent.
        sent = await this.notifications.markSent(
          tx,
          outcomes.flatMap((o) =>
            o.outcome === 'sent' ? [{ id: o.email.id, messageId: messageIdOf(o.email.id) }] : [],
          ),
        );
        if (sent.length) await this.signals.announceSent(tx, sent);
        return {
          claimed: emails.length,
          sent: sent.length,
          failed: failures.length,
          untried: outcomes.filter((o) => o.outcome === 'untried').length,
        };
      },
      // Sends start within MAIL_SEND_TIMEOUT_MS of the claim and each ends within the send limit, so
      // the transaction never times out around an accepted email.
      { timeout: this.config.MAIL_SEND_TIMEOUT_MS + this.mailer.sendLimitMs + 15_000, maxWait: 10_000 },
    );
    for (const notification of sent) {
      this.logger.log(
        { notificationId: notification.id, type: notification.type, orderId: notification.orderId },
        'email sent',
      );
      this.feed.publish(notification);
    }
    return result;
  }

  /**
   * Sends a batch, at most as many at once as there are slots (shared with the other worker). An
   * email is not tried once the dispatcher is stopping, SMTP has refused FAILURES_BEFORE_REST in a
   * row, or the batch has had MAIL_SEND_TIMEOUT_MS to start its sends. An email the mailer's open
   * circuit breaker did not send is untried too: sending pauses, and no row spends an attempt.
   */
  private sendAll(emails: DueEmail[]): Promise<SendOutcome[]> {
    const deadline = Date.now() + this.config.MAIL_SEND_TIMEOUT_MS;
    let failuresInARow = 0;
    return Promise.all(
      emails.map((email) =>
        this.slots.run(async (): Promise<SendOutcome> => {
          if (this.stopping || failuresInARow >= FAILURES_BEFORE_REST || Date.now() > deadline)
            return { email, outcome: 'untried' };
          try {
            // In the trace of the event that recorded the email (when traced): an order's trace ends here.
            await inSpan(
              'email send',
              {
                kind: SpanKind.CLIENT,
                parent: email.traceContext ?? 'root',
                attributes: { 'commerce.notification.id': email.id, 'commerce.notification.type': email.type },
              },
              () =>
                this.mailer.send({
                  to: email.email,
                  subject: email.subject,
                  text: email.body,
                  messageId: messageIdOf(email.id),
                }),
            );
            failuresInARow = 0;
            return { email, outcome: 'sent' };
          } catch (error) {
            failuresInARow++;
            if (error instanceof ProviderUnavailableError && error.circuitOpen) return { email, outcome: 'untried' };
            return { email, outcome: 'failed', error };
          }
        }),
      ),
    );
  }

  private async run(first: boolean): Promise<void> {
    let errors = 0;
    while (this.running) {
      let result: DispatchResult | undefined;
      try {
        result = await this.dispatchBatch();
        errors = 0;
      } catch (error) {
        errors++;
        if (errors === 1 || errors % 20 === 0) this.logger.error({ err: error, errors }, 'mail dispatch failed');
      }
      if (!this.running) break;
      // A full batch, every email of it tried: more may be due, go on at once, both workers.
      // Otherwise nothing more was due, the database fails, or SMTP is down or slow: the first worker
      // rests until woken or the next poll, the second until the first finds a full batch again.
      if (result && result.claimed === this.batchSize && result.untried === 0) {
        if (first) this.helperWakeup.wake();
        continue;
      }
      if (first) await this.wakeup.sleep(this.config.MAIL_POLL_INTERVAL_MS);
      else await this.helperWakeup.sleep(60_000);
    }
  }
}
