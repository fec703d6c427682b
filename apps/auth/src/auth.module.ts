import { KafkaModule } from '@commerce/kafka';
import { OutboxModule } from '@commerce/outbox';
import { DatabaseModule } from '@commerce/platform';
import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AuthDatabase } from './auth.database.ts';
import { KeysModule } from './keys/keys.module.ts';
import { SessionsModule } from './sessions/sessions.module.ts';
import { UsersModule } from './users/users.module.ts';

/**
 * The auth app: infrastructure, then its features (keys, users, sessions). It consumes no events,
 * so it has no MessagingModule; `user.created` and `session.ended` leave through the outbox.
 */
@Module({
  imports: [
    DatabaseModule.forRoot(AuthDatabase),
    KafkaModule.forRoot(),
    OutboxModule.forRoot({ produces: ['user.created', 'session.ended'] }),
    CqrsModule.forRoot(),
    KeysModule,
    UsersModule,
    SessionsModule,
  ],
})
export class AuthModule {}
