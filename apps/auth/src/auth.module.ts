import { Module } from '@nestjs/common';
import { KafkaModule } from '@commerce/messaging';
import { DatabaseModule } from '@commerce/platform';
import { AuthDatabase } from './auth.database.ts';

@Module({
  imports: [DatabaseModule.forRoot(AuthDatabase), KafkaModule.forRoot()],
})
export class AuthModule {}
