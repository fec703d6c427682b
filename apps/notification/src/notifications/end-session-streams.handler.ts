import { APP_CONFIG } from '@commerce/platform';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { NotificationConfig } from '../notification.config.ts';
import { EndSessionStreamsCommand } from './end-session-streams.command.ts';
import { EndedSessionsRepository } from './ended-sessions.repository.ts';
import { NotificationSignals } from './notification-signals.ts';

// Access tokens carry auth's session ids, uuids: another id can be recorded but names no stream.
const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Records the ended session (no stream of it opens again) and announces its id over NOTIFY at
 * commit. The event reaches one replica of the consumer group, but streams are held by every
 * replica: each hears the announcement, reads the row back and ends the session's streams.
 */
@CommandHandler(EndSessionStreamsCommand)
export class EndSessionStreamsHandler implements ICommandHandler<EndSessionStreamsCommand> {
  constructor(
    private readonly endedSessions: EndedSessionsRepository,
    private readonly signals: NotificationSignals,
    @Inject(APP_CONFIG) private readonly config: NotificationConfig,
  ) {}

  async execute({ ended, tx }: EndSessionStreamsCommand): Promise<void> {
    await this.endedSessions.record(tx, ended, this.config.ENDED_SESSION_RETENTION_SECONDS);
    if (SESSION_ID.test(ended.sessionId)) await this.signals.announceEndedSessions(tx, [ended.sessionId]);
  }
}
