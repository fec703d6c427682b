import type { Authorization, DeclineReason } from '../gateway/payment-gateway.ts';

/** The states of a payment (CONTRACT.md, payment). */
export const PAYMENT_STATUSES = ['AUTHORIZED', 'CAPTURED', 'VOIDED', 'FAILED'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** A payment as this app keeps it: one per order. */
export interface Payment {
  id: string;
  orderId: string;
  customerId: string;
  status: PaymentStatus;
  amountCents: number;
  currency: string;
  failureReason: DeclineReason | null;
  authorizationId: string | null;
}

/** What GET /api/payments answers: no customer, no authorization id. */
export interface PaymentView {
  id: string;
  orderId: string;
  status: PaymentStatus;
  amountCents: number;
  currency: string;
  failureReason?: DeclineReason;
}

/** The status, reason and authorization a new payment starts with, from the network's answer. */
export function outcomeOf(authorization: Authorization): Pick<Payment, 'status' | 'failureReason' | 'authorizationId'> {
  return authorization.approved
    ? { status: 'AUTHORIZED', failureReason: null, authorizationId: authorization.authorizationId }
    : { status: 'FAILED', failureReason: authorization.reason, authorizationId: null };
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
