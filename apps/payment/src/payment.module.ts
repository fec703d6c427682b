import { KafkaModule } from '@commerce/kafka';
import { MessagingModule } from '@commerce/messaging';
import { OutboxModule } from '@commerce/outbox';
import { DatabaseModule } from '@commerce/platform';
import { Module } from '@nestjs/common';
import { PaymentDatabase } from './payment.database.ts';
import { AuthorizePaymentHandler } from './payments/authorize-payment.handler.ts';
import { CapturePaymentHandler } from './payments/capture-payment.handler.ts';
import { PaymentsModule } from './payments/payments.module.ts';
import { VoidPaymentHandler } from './payments/void-payment.handler.ts';

@Module({
  imports: [
    DatabaseModule.forRoot(PaymentDatabase),
    KafkaModule.forRoot(),
    OutboxModule.forRoot({ produces: ['payment.authorized', 'payment.failed', 'payment.captured', 'payment.voided'] }),
    PaymentsModule,
    MessagingModule.forRoot({
      database: PaymentDatabase,
      handlers: [AuthorizePaymentHandler, CapturePaymentHandler, VoidPaymentHandler],
      imports: [PaymentsModule],
    }),
  ],
})
export class PaymentModule {}
