import { KafkaModule } from '@commerce/messaging';
import { OutboxModule } from '@commerce/outbox';
import { DatabaseModule } from '@commerce/platform';
import { Module } from '@nestjs/common';
import { AuthDatabase } from './auth.database.ts';

@Module({
  imports: [
    DatabaseModule.forRoot(AuthDatabase),
    KafkaModule.forRoot(),
    OutboxModule.forRoot({ produces: ['user.created'] }),
  ],
})
export class AuthModule {}
