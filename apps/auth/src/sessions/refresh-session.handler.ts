import { Outbox } from '@commerce/outbox';
import { APP_CONFIG } from '@commerce/platform';
import { Inject, UnauthorizedException } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuthDatabase, type AuthTransaction } from '../auth.database.ts';
import type { AuthConfig } from '../auth.config.ts';
import { SigningKey } from '../keys/signing-key.ts';
import { UsersRepository } from '../users/users.repository.ts';
import { RefreshSessionCommand } from './refresh-session.command.ts';
import { RefreshTokensRepository } from './refresh-tokens.repository.ts';
import { type TokenPair, tokenPair } from './token-pair.view.ts';

/** What presenting a refresh token led to. */
type Rotation =
  { kind: 'rotated'; userId: string; sessionId: string; token: string } | { kind: 'reused' } | { kind: 'invalid' };

/**
 * Rotates a refresh token: spends it and issues its successor in the same family. A token spent
 * twice means it leaked, so the whole family is revoked and the caller gets 401; so does an
 * unknown, expired or revoked token. The revocation publishes `session.ended` in its transaction,
 * so the session's open notification streams end too.
 */
@CommandHandler(RefreshSessionCommand)
export class RefreshSessionHandler implements ICommandHandler<RefreshSessionCommand> {
  constructor(
    private readonly db: AuthDatabase,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly users: UsersRepository,
    private readonly key: SigningKey,
    private readonly outbox: Outbox,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  async execute(command: RefreshSessionCommand): Promise<TokenPair> {
    const rotation = await this.db.$transaction((tx) => this.rotate(tx, command.refreshToken));
    if (rotation.kind === 'reused') {
      throw new UnauthorizedException('This refresh token was already used; every session of its login is revoked.');
    }
    const user = rotation.kind === 'rotated' ? await this.users.findById(rotation.userId) : null;
    if (rotation.kind !== 'rotated' || !user) {
      throw new UnauthorizedException('The refresh token is not valid.');
    }
    const subject = { userId: user.id, email: user.email, roles: user.roles, sessionId: rotation.sessionId };
    return tokenPair(this.key, subject, rotation.token, this.config.ACCESS_TOKEN_TTL_SECONDS);
  }

  private async rotate(tx: AuthTransaction, token: string): Promise<Rotation> {
    const presented = await this.refreshTokens.find(tx, token);
    if (!presented) return { kind: 'invalid' };
    // Rotations and revocations of one family take turns, so a revocation cannot miss a
    // successor issued at the same moment.
    await this.refreshTokens.lockFamily(tx, presented.familyId);
    const userId = await this.refreshTokens.spend(tx, token);
    if (userId) {
      const successor = await this.refreshTokens.issue(
        tx,
        userId,
        presented.familyId,
        this.config.REFRESH_TOKEN_TTL_DAYS,
      );
      return { kind: 'rotated', userId, sessionId: presented.familyId, token: successor };
    }
    // Not spendable: read again under the lock, as the concurrent use that spent it left it.
    const now = await this.refreshTokens.find(tx, token);
    if (now?.usedAt) {
      // A family revoked before (an earlier reuse, a logout) has said that its session ended.
      if ((await this.refreshTokens.revokeFamily(tx, presented.familyId)) > 0) {
        const ended = {
          userId: presented.userId,
          sessionId: presented.familyId,
          reason: 'REFRESH_TOKEN_REUSED' as const,
        };
        await this.outbox.add(tx, this.outbox.event('session.ended', ended, presented.familyId));
      }
      return { kind: 'reused' };
    }
    return { kind: 'invalid' };
  }
}
