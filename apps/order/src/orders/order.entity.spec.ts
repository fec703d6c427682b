import { describe, expect, it } from 'vitest';
import { Order, type OrderOutcome } from './order.entity.ts';

const reserved: OrderOutcome = { type: 'inventory.reserved' };
const authorized: OrderOutcome = { type: 'payment.authorized' };
const outOfStock: OrderOutcome = { type: 'inventory.rejected', reason: 'OUT_OF_STOCK' };
const unknownSku: OrderOutcome = { type: 'inventory.rejected', reason: 'UNKNOWN_SKU' };
const failed: OrderOutcome = { type: 'payment.failed' };
const customerCancel: OrderOutcome = { type: 'customer.cancel' };
const deadlinePassed: OrderOutcome = { type: 'deadline.passed' };
const all = [reserved, authorized, outOfStock, unknownSku, failed, customerCancel, deadlinePassed];

function after(...outcomes: OrderOutcome[]): Order {
  const order = Order.place('o-1', 'c-1');
  for (const outcome of outcomes) order.apply(outcome);
  return order;
}

describe('the order state machine', () => {
  it('starts PENDING, waiting for inventory and payment', () => {
    expect(Order.place('o-1', 'c-1').snapshot).toEqual({
      id: 'o-1',
      customerId: 'c-1',
      status: 'PENDING',
      cancelReason: null,
      inventoryStatus: 'PENDING',
      paymentStatus: 'PENDING',
    });
  });

  it.each([
    ['reserved then authorized', [reserved, authorized]],
    ['authorized then reserved', [authorized, reserved]],
  ])('confirms once both stock and payment are in (%s), publishing order.confirmed', (_, [first, second]) => {
    const order = Order.place('o-1', 'c-1');
    expect(order.apply(first!)).toEqual({ changed: true });
    expect(order.snapshot.status).toBe('PENDING');
    expect(order.apply(second!)).toEqual({ changed: true, publish: 'order.confirmed' });
    expect(order.snapshot.status).toBe('CONFIRMED');
  });

  it.each([
    [outOfStock, 'OUT_OF_STOCK'],
    [unknownSku, 'UNKNOWN_SKU'],
    [failed, 'PAYMENT_DECLINED'],
    [customerCancel, 'CUSTOMER_CANCELLED'],
    [deadlinePassed, 'TIMEOUT'],
  ] as const)('cancels a PENDING order on %o with reason %s, publishing order.cancelled', (outcome, reason) => {
    for (const before of [[], [reserved], [authorized]]) {
      const order = after(...before);
      const prior = { ...order.snapshot };
      expect(order.apply(outcome)).toEqual({ changed: true, publish: 'order.cancelled' });
      // The whole state: what inventory and payment said is kept, the side that failed is marked.
      expect(order.snapshot).toEqual({
        ...prior,
        status: 'CANCELLED',
        cancelReason: reason,
        ...(outcome.type === 'inventory.rejected' ? { inventoryStatus: 'REJECTED' } : {}),
        ...(outcome.type === 'payment.failed' ? { paymentStatus: 'FAILED' } : {}),
      });
    }
  });

  it('ignores a repeated reservation or authorization while PENDING', () => {
    const order = after(reserved);
    expect(order.apply(reserved)).toEqual({ changed: false, why: 'stock is already reserved' });
    const paid = after(authorized);
    expect(paid.apply(authorized)).toEqual({ changed: false, why: 'payment is already authorized' });
    expect([order.snapshot.status, paid.snapshot.status]).toEqual(['PENDING', 'PENDING']);
  });

  it.each([
    ['CONFIRMED', [reserved, authorized]],
    ['CANCELLED', [failed]],
    ['CANCELLED', [customerCancel]],
    ['CANCELLED', [outOfStock]],
    ['CANCELLED', [deadlinePassed]],
  ] as const)('changes nothing once %s, whatever arrives late or twice', (status, path) => {
    for (const late of all) {
      const order = after(...path);
      const before = { ...order.snapshot };
      expect(order.apply(late)).toEqual({ changed: false, why: `the order is already ${status}` });
      expect(order.snapshot).toEqual(before);
    }
  });

  it('keeps the first reason when a second failure arrives after the cancel', () => {
    const order = after(outOfStock, failed);
    expect(order.snapshot.cancelReason).toBe('OUT_OF_STOCK');
  });
});
