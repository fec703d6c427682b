import { Module } from '@nestjs/common';
import { KafkaModule } from '@commerce/messaging';
import { DatabaseModule } from '@commerce/platform';
import { PaymentDatabase } from './payment.database.ts';

@Module({
  imports: [DatabaseModule.forRoot(PaymentDatabase), KafkaModule.forRoot()],
})
export class PaymentModule {}
