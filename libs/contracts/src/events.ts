import { z } from 'zod';

// The data of each event, version 1 (docs/contract.md, Events). Objects are not strict: a consumer
// reads a newer version that only adds fields, and simply does not see the new ones.

const id = z.string().min(1).max(200);
const sku = z.string().min(1).max(64);
const cents = z.number().int().nonnegative();
const currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code');

export const UserCreatedV1 = z.object({ userId: id, email: z.email(), name: z.string().min(1) });
export type UserCreatedV1 = z.infer<typeof UserCreatedV1>;

// A login session ended before its refresh token ran out: its holder logged out, or a spent refresh
// token was presented again and the whole family was revoked. `sessionId` is the `sid` claim of every
// access token the session issued.
export const SessionEndedV1 = z.object({
  userId: id,
  sessionId: id,
  reason: z.enum(['LOGGED_OUT', 'REFRESH_TOKEN_REUSED']),
});
export type SessionEndedV1 = z.infer<typeof SessionEndedV1>;

export const ProductUpsertedV1 = z.object({ sku, name: z.string().min(1), priceCents: cents, currency });
export type ProductUpsertedV1 = z.infer<typeof ProductUpsertedV1>;

export const OrderPlacedV1 = z.object({
  orderId: id,
  customerId: id,
  items: z.array(z.object({ sku, quantity: z.number().int().positive(), unitPriceCents: cents })).min(1),
  totalCents: cents,
  currency,
  paymentToken: z.string().min(1),
});
export type OrderPlacedV1 = z.infer<typeof OrderPlacedV1>;

export const InventoryReservedV1 = z.object({
  orderId: id,
  reservationId: id,
  items: z.array(z.object({ sku, quantity: z.number().int().positive() })).min(1),
});
export type InventoryReservedV1 = z.infer<typeof InventoryReservedV1>;

export const InventoryRejectedV1 = z.object({
  orderId: id,
  reason: z.enum(['OUT_OF_STOCK', 'UNKNOWN_SKU']),
  skus: z.array(sku),
});
export type InventoryRejectedV1 = z.infer<typeof InventoryRejectedV1>;

export const InventoryReleasedV1 = z.object({ orderId: id, reservationId: id });
export type InventoryReleasedV1 = z.infer<typeof InventoryReleasedV1>;

const paymentAmount = { orderId: id, paymentId: id, amountCents: cents, currency };

export const PaymentAuthorizedV1 = z.object(paymentAmount);
export type PaymentAuthorizedV1 = z.infer<typeof PaymentAuthorizedV1>;

export const PaymentFailedV1 = z.object({
  ...paymentAmount,
  reason: z.enum(['DECLINED', 'INSUFFICIENT_FUNDS', 'LIMIT_EXCEEDED']),
});
export type PaymentFailedV1 = z.infer<typeof PaymentFailedV1>;

export const PaymentCapturedV1 = z.object(paymentAmount);
export type PaymentCapturedV1 = z.infer<typeof PaymentCapturedV1>;

export const PaymentVoidedV1 = z.object(paymentAmount);
export type PaymentVoidedV1 = z.infer<typeof PaymentVoidedV1>;

export const OrderConfirmedV1 = z.object({ orderId: id, customerId: id, totalCents: cents, currency });
export type OrderConfirmedV1 = z.infer<typeof OrderConfirmedV1>;

// TIMEOUT: the order was not settled within the order app's ORDER_SETTLE_TIMEOUT_MS. A reader built
// before a value was added would dead-letter it, so every consumer is deployed before the producer
// publishes a new value (docs/contract.md, Versions).
export const OrderCancelledV1 = z.object({
  orderId: id,
  customerId: id,
  reason: z.enum(['OUT_OF_STOCK', 'UNKNOWN_SKU', 'PAYMENT_DECLINED', 'CUSTOMER_CANCELLED', 'TIMEOUT']),
});
export type OrderCancelledV1 = z.infer<typeof OrderCancelledV1>;
