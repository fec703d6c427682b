import { KafkaModule } from '@commerce/messaging';
import { OutboxModule } from '@commerce/outbox';
import { DatabaseModule } from '@commerce/platform';
import { Module } from '@nestjs/common';
import { NotificationDatabase } from './notification.database.ts';

@Module({
  imports: [
    DatabaseModule.forRoot(NotificationDatabase),
    KafkaModule.forRoot(),
    OutboxModule.forRoot({ produces: [] }),
  ],
})
export class NotificationModule {}
