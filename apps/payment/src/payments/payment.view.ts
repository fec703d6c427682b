import type { DeclineReason } from '../gateway/payment-gateway.ts';
import type { Payment, PaymentStatus } from './payment.entity.ts';

/** What GET /api/payments answers: no customer, no authorization id. */
export interface PaymentView {
  id: string;
  orderId: string;
  status: PaymentStatus;
  amountCents: number;
  currency: string;
  failureReason?: DeclineReason;
}

/** The payment as its customer (or an admin) sees it; failureReason only when there is one. */
export function viewOf(payment: Payment): PaymentView {
  return {
    id: payment.id,
    orderId: payment.orderId,
    status: payment.status,
    amountCents: payment.amountCents,
    currency: payment.currency,
    ...(payment.failureReason ? { failureReason: payment.failureReason } : {}),
  };
}
