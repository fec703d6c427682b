import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuthDatabase } from '../auth.database.ts';
import { LogoutCommand } from './logout.command.ts';
import { RefreshTokensRepository } from './refresh-tokens.repository.ts';

/** Revokes the family of the presented refresh token; an unknown token is ignored (still 204). */
@CommandHandler(LogoutCommand)
export class LogoutHandler implements ICommandHandler<LogoutCommand> {
  constructor(
    private readonly db: AuthDatabase,
    private readonly refreshTokens: RefreshTokensRepository,
  ) {}

  async execute(command: LogoutCommand): Promise<void> {
    await this.db.$transaction(async (tx) => {
      const known = await this.refreshTokens.find(tx, command.refreshToken);
      if (!known) return;
      // Under the family's lock, so a rotation running now cannot issue a token this misses.
      await this.refreshTokens.lockFamily(tx, known.familyId);
      await this.refreshTokens.revokeFamily(tx, known.familyId);
    });
  }
}
