import { APP_CONFIG } from '@commerce/platform';
import { Inject, UnauthorizedException } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AuthDatabase } from '../auth.database.ts';
import type { AuthConfig } from '../auth.config.ts';
import { SigningKey } from '../keys/signing-key.ts';
import { verifyPassword } from '../users/passwords.ts';
import { UsersRepository } from '../users/users.repository.ts';
import { LoginCommand } from './login.command.ts';
import { LoginThrottle, TooManyLoginAttemptsException } from './login-throttle.ts';
import { RefreshTokensRepository } from './refresh-tokens.repository.ts';
import { type TokenPair, tokenPair } from './token-pair.view.ts';

const WRONG_CREDENTIALS = 'The email or password is not correct.';

/**
 * Counts the attempt first (429 when the email or address is blocked), then verifies the password
 * (as long for an unknown email as for a wrong password, with one message for both), and answers
 * an access token with the first refresh token of a new family.
 */
@CommandHandler(LoginCommand)
export class LoginHandler implements ICommandHandler<LoginCommand> {
  constructor(
    private readonly db: AuthDatabase,
    private readonly users: UsersRepository,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly throttle: LoginThrottle,
    private readonly key: SigningKey,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  async execute({ email, password, address }: LoginCommand): Promise<TokenPair> {
    // Counted before verifying: of many attempts at once, no more than the limit are verified.
    const retryAfter = await this.throttle.admit(email, address);
    if (retryAfter > 0) throw new TooManyLoginAttemptsException(retryAfter);
    const user = await this.users.findByEmail(email);
    if (!(await verifyPassword(user?.passwordHash, password)) || !user) {
      throw new UnauthorizedException(WRONG_CREDENTIALS);
    }
    await this.throttle.recordSuccess(email, address);
    // A new family: the login session, whose id every access token of it carries as `sid`.
    const sessionId = randomUUID();
    const refreshToken = await this.refreshTokens.issue(
      this.db,
      user.id,
      sessionId,
      this.config.REFRESH_TOKEN_TTL_DAYS,
    );
    return tokenPair(
      this.key,
      { userId: user.id, email: user.email, roles: user.roles, sessionId },
      refreshToken,
      this.config.ACCESS_TOKEN_TTL_SECONDS,
    );
  }
}
