import type { Authorization, DeclineReason } from '../gateway/payment-gateway.ts';

/** The states of a payment (docs/contract.md, payment). */
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

/** The status, reason and authorization a new payment starts with, from the network's answer. */
export function outcomeOf(authorization: Authorization): Pick<Payment, 'status' | 'failureReason' | 'authorizationId'> {
  return authorization.approved
    ? { status: 'AUTHORIZED', failureReason: null, authorizationId: authorization.authorizationId }
    : { status: 'FAILED', failureReason: authorization.reason, authorizationId: null };
}
