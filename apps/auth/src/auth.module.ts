import { KafkaModule } from '@commerce/kafka';
import { OutboxModule } from '@commerce/outbox';
import { ACCESS_TOKEN_KEYS, DatabaseModule } from '@commerce/platform';
import { Module } from '@nestjs/common';
import { AuthDatabase } from './auth.database.ts';
import { JwksController } from './keys/jwks.controller.ts';
import { SigningKey } from './keys/signing-key.ts';
import { LoginThrottle } from './sessions/login-throttle.ts';
import { RefreshTokensRepository } from './sessions/refresh-tokens.repository.ts';
import { SessionsController } from './sessions/sessions.controller.ts';
import { AdminBootstrap } from './users/admin-bootstrap.ts';
import { UsersController } from './users/users.controller.ts';
import { UsersRepository } from './users/users.repository.ts';

@Module({
  imports: [
    DatabaseModule.forRoot(AuthDatabase),
    KafkaModule.forRoot(),
    OutboxModule.forRoot({ produces: ['user.created'] }),
  ],
  controllers: [UsersController, SessionsController, JwksController],
  providers: [
    SigningKey,
    // The auth app verifies its own tokens with its key in memory, not over its own JWKS.
    { provide: ACCESS_TOKEN_KEYS, useFactory: (key: SigningKey) => key.verificationKeys(), inject: [SigningKey] },
    UsersRepository,
    RefreshTokensRepository,
    LoginThrottle,
    AdminBootstrap,
  ],
})
export class AuthModule {}
