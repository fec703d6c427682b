import { KafkaModule } from '@commerce/kafka';
import { MessagingModule } from '@commerce/messaging';
import { OutboxModule } from '@commerce/outbox';
import { DatabaseModule } from '@commerce/platform';
import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { PaymentDatabase } from './payment.database.ts';
import { PaymentsModule } from './payments/payments.module.ts';

/** The payment app: infrastructure, then its feature (payments, which brings the card network's gateway). */
@Module({
  imports: [
    DatabaseModule.forRoot(PaymentDatabase),
    KafkaModule.forRoot(),
    OutboxModule.forRoot({ produces: ['payment.authorized', 'payment.failed', 'payment.captured', 'payment.voided'] }),
    MessagingModule.forRoot({ database: PaymentDatabase }),
    CqrsModule.forRoot(),
    PaymentsModule,
  ],
})
export class PaymentModule {}
