import type { OrderCancelledV1 } from '@commerce/contracts';

export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'CANCELLED';
export type CancelReason = OrderCancelledV1['reason'];
export type InventoryStatus = 'PENDING' | 'RESERVED' | 'REJECTED';
export type PaymentStatus = 'PENDING' | 'AUTHORIZED' | 'FAILED';

/**
 * What another service said about an order, as the aggregate sees it; or the customer's cancel, or
 * the settle deadline passing (ORDER_SETTLE_TIMEOUT_MS).
 */
export type OrderOutcome =
  | { type: 'inventory.reserved' }
  | { type: 'inventory.rejected'; reason: 'OUT_OF_STOCK' | 'UNKNOWN_SKU' }
  | { type: 'payment.authorized' }
  | { type: 'payment.failed' }
  | { type: 'customer.cancel' }
  | { type: 'deadline.passed' };

/** What applying an outcome did: the new status when it changed, and the event to publish. */
export type Transition =
  { changed: false; why: string } | { changed: true; publish?: 'order.confirmed' | 'order.cancelled' };

export interface OrderState {
  id: string;
  customerId: string;
  status: OrderStatus;
  cancelReason: CancelReason | null;
  inventoryStatus: InventoryStatus;
  paymentStatus: PaymentStatus;
}

/**
 * The order aggregate: its state machine (docs/contract.md, choreography). PENDING becomes CONFIRMED
 * when stock is reserved AND payment authorized, in either order; CANCELLED on a rejection, a
 * failed payment, the customer's cancel or its settle deadline. A terminal order ignores whatever
 * arrives later.
 */
export class Order {
  constructor(private state: OrderState) {}

  /** A new order, waiting for inventory and payment. */
  static place(id: string, customerId: string): Order {
    return new Order({
      id,
      customerId,
      status: 'PENDING',
      cancelReason: null,
      inventoryStatus: 'PENDING',
      paymentStatus: 'PENDING',
    });
  }

  get snapshot(): Readonly<OrderState> {
    return this.state;
  }

  get isTerminal(): boolean {
    return this.state.status !== 'PENDING';
  }

  /** Applies an outcome; the caller persists the new snapshot and publishes `publish`. */
  apply(outcome: OrderOutcome): Transition {
    if (this.isTerminal) {
      return { changed: false, why: `the order is already ${this.state.status}` };
    }
    switch (outcome.type) {
      case 'inventory.reserved':
        if (this.state.inventoryStatus === 'RESERVED') return { changed: false, why: 'stock is already reserved' };
        this.state = { ...this.state, inventoryStatus: 'RESERVED' };
        return this.confirmIfComplete();
      case 'payment.authorized':
        if (this.state.paymentStatus === 'AUTHORIZED') return { changed: false, why: 'payment is already authorized' };
        this.state = { ...this.state, paymentStatus: 'AUTHORIZED' };
        return this.confirmIfComplete();
      case 'inventory.rejected':
        this.state = { ...this.state, inventoryStatus: 'REJECTED' };
        return this.cancel(outcome.reason);
      case 'payment.failed':
        this.state = { ...this.state, paymentStatus: 'FAILED' };
        return this.cancel('PAYMENT_DECLINED');
      case 'customer.cancel':
        return this.cancel('CUSTOMER_CANCELLED');
      case 'deadline.passed':
        return this.cancel('TIMEOUT');
    }
  }

  private confirmIfComplete(): Transition {
    if (this.state.inventoryStatus === 'RESERVED' && this.state.paymentStatus === 'AUTHORIZED') {
      this.state = { ...this.state, status: 'CONFIRMED' };
      return { changed: true, publish: 'order.confirmed' };
    }
    // Half-way: recorded, still PENDING, nothing to publish yet.
    return { changed: true };
  }

  private cancel(reason: CancelReason): Transition {
    this.state = { ...this.state, status: 'CANCELLED', cancelReason: reason };
    return { changed: true, publish: 'order.cancelled' };
  }
}
