import { describe, expect, it } from 'vitest';
import {
  cancellationReasonInWords,
  formatMoney,
  orderCancelledEmail,
  orderConfirmedEmail,
  orderReceivedEmail,
  welcomeEmail,
} from './email-content.ts';

describe('email content', () => {
  it('welcomes a user by name and names their address', () => {
    const email = welcomeEmail({ userId: 'u-1', email: 'ada@example.com', name: 'Ada' });
    expect(email.subject).toBe('Welcome to Commerce, Ada');
    expect(email.body).toContain('Hello Ada,');
    expect(email.body).toContain('ada@example.com');
  });

  it('lists what was ordered, each line and the total, when an order is received', () => {
    const email = orderReceivedEmail({
      orderId: 'o-42',
      customerId: 'u-1',
      items: [
        { sku: 'MUG-1', quantity: 2, unitPriceCents: 1250 },
        { sku: 'TEA-9', quantity: 1, unitPriceCents: 399 },
      ],
      totalCents: 2899,
      currency: 'USD',
      paymentToken: 'tok_ok',
    });
    expect(email.subject).toBe('We received your order o-42');
    expect(email.body).toContain('2 × MUG-1 at $12.50 = $25.00');
    expect(email.body).toContain('1 × TEA-9 at $3.99 = $3.99');
    expect(email.body).toContain('Total: $28.99');
    expect(email.body).not.toContain('tok_ok');
  });

  it('says an order is confirmed and what was charged', () => {
    const email = orderConfirmedEmail({ orderId: 'o-42', customerId: 'u-1', totalCents: 2899, currency: 'EUR' });
    expect(email.subject).toBe('Your order o-42 is confirmed');
    expect(email.body).toContain('€28.99');
  });

  it.each([
    ['OUT_OF_STOCK', 'Some of the items you ordered are out of stock.'],
    ['UNKNOWN_SKU', 'One of the items you ordered is not in our catalog.'],
    ['PAYMENT_DECLINED', 'Your payment was declined.'],
    ['CUSTOMER_CANCELLED', 'You cancelled it.'],
    ['TIMEOUT', 'We could not confirm your stock and payment in time.'],
  ] as const)('says in words why an order was cancelled: %s', (reason, words) => {
    expect(cancellationReasonInWords(reason)).toBe(words);
    const email = orderCancelledEmail({ orderId: 'o-42', customerId: 'u-1', reason });
    expect(email.subject).toBe('Your order o-42 was cancelled');
    expect(email.body).toContain(words);
    expect(email.body).not.toContain(reason);
  });

  it('formats integer cents with two decimals in the currency', () => {
    expect(formatMoney(0, 'USD')).toBe('$0.00');
    expect(formatMoney(123456, 'USD')).toBe('$1,234.56');
    expect(formatMoney(5, 'GBP')).toBe('£0.05');
  });
});
