import { Outbox } from '@commerce/outbox';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuthDatabase } from '../auth.database.ts';
import { LogoutCommand } from './logout.command.ts';
import { RefreshTokensRepository } from './refresh-tokens.repository.ts';

/**
 * Revokes the family of the presented refresh token and publishes `session.ended` with it, so the
 * session's open notification streams end too; an unknown token, or a family already ended, changes
 * nothing and publishes nothing (still 204).
 */
@CommandHandler(LogoutCommand)
export class LogoutHandler implements ICommandHandler<LogoutCommand> {
  constructor(
    private readonly db: AuthDatabase,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly outbox: Outbox,
  ) {}

  async execute(command: LogoutCommand): Promise<void> {
    await this.db.$transaction(async (tx) => {
      const known = await this.refreshTokens.find(tx, command.refreshToken);
      if (!known) return;
      // Under the family's lock, so a rotation running now cannot issue a token this misses.
      await this.refreshTokens.lockFamily(tx, known.familyId);
      if ((await this.refreshTokens.revokeFamily(tx, known.familyId)) === 0) return;
      const ended = { userId: known.userId, sessionId: known.familyId, reason: 'LOGGED_OUT' as const };
      await this.outbox.add(tx, this.outbox.event('session.ended', ended, known.familyId));
    });
  }
}
