import { Module } from '@nestjs/common';
import { KafkaModule } from '@commerce/messaging';
import { DatabaseModule } from '@commerce/platform';
import { NotificationDatabase } from './notification.database.ts';

@Module({
  imports: [DatabaseModule.forRoot(NotificationDatabase), KafkaModule.forRoot()],
})
export class NotificationModule {}
