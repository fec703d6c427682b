import { Module } from '@nestjs/common';
import { KeysModule } from '../keys/keys.module.ts';
import { UsersModule } from '../users/users.module.ts';
import { LoginThrottle } from './login-throttle.ts';
import { LoginHandler } from './login.handler.ts';
import { LogoutHandler } from './logout.handler.ts';
import { RefreshSessionHandler } from './refresh-session.handler.ts';
import { RefreshTokensRepository } from './refresh-tokens.repository.ts';
import { SessionsController } from './sessions.controller.ts';
import { SessionsRetention } from './sessions-retention.ts';

/**
 * Sessions: login (throttled, against the users' password hashes), and refresh tokens that rotate,
 * in families revoked as one on reuse or logout. Access tokens are signed with the keys' key.
 * Stale throttle rows and finished logins' tokens are deleted as they age (SessionsRetention).
 */
@Module({
  imports: [UsersModule, KeysModule],
  controllers: [SessionsController],
  providers: [
    LoginThrottle,
    RefreshTokensRepository,
    LoginHandler,
    RefreshSessionHandler,
    LogoutHandler,
    SessionsRetention,
  ],
})
export class SessionsModule {}
