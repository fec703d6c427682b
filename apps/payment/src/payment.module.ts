import { KafkaModule } from '@commerce/messaging';
import { OutboxModule } from '@commerce/outbox';
import { DatabaseModule } from '@commerce/platform';
import { Module } from '@nestjs/common';
import { PaymentDatabase } from './payment.database.ts';

@Module({
  imports: [
    DatabaseModule.forRoot(PaymentDatabase),
    KafkaModule.forRoot(),
    OutboxModule.forRoot({ produces: ['payment.authorized', 'payment.failed', 'payment.captured', 'payment.voided'] }),
  ],
})
export class PaymentModule {}
