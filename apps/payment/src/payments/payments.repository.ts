import { Injectable } from '@nestjs/common';
import type { DeclineReason } from '../gateway/payment-gateway.ts';
import { PaymentDatabase, type PaymentTransaction } from '../payment.database.ts';
import type { OrderPaymentState } from './payment-rules.ts';
import type { Payment, PaymentStatus } from './payment.entity.ts';

/** A transaction, or the client itself for a single read. */
type Queries = Pick<PaymentTransaction, '$queryRaw' | '$executeRaw'> | PaymentDatabase;

interface PaymentRow {
  id: string;
  order_id: string;
  customer_id: string;
  status: PaymentStatus;
  amount_cents: bigint;
  currency: string;
  failure_reason: DeclineReason | null;
  authorization_id: string | null;
}

const toPayment = (row: PaymentRow): Payment => ({
  id: row.id,
  orderId: row.order_id,
  customerId: row.customer_id,
  status: row.status,
  amountCents: Number(row.amount_cents),
  currency: row.currency,
  failureReason: row.failure_reason,
  authorizationId: row.authorization_id,
});

/** What payment knows of an order: its payment, or whether it was cancelled before it was placed. */
export interface OrderPaymentRecord {
  payment: Payment | null;
  tombstoned: boolean;
}

/** The state the payment rules decide on. */
export function stateOf(record: OrderPaymentRecord): OrderPaymentState {
  if (record.payment) return record.payment.status;
  return record.tombstoned ? 'TOMBSTONED' : 'UNKNOWN';
}

/** Payments and order tombstones in the `payments` schema (unqualified names: search_path is the schema). */
@Injectable()
export class PaymentsRepository {
  constructor(private readonly db: PaymentDatabase) {}

  /**
   * Makes the order's handlers take turns until `tx` ends. Without it, an order.cancelled and an
   * order.placed handled at once could each miss the other's row (a tombstone and a payment).
   * The two-key form keeps these locks apart from the outbox's one-key locks.
   */
  async lockOrder(tx: PaymentTransaction, orderId: string): Promise<void> {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('payments.order'), hashtext(${orderId}))`;
  }

  /** The order's payment and tombstone, as the rules see them, in one round trip. */
  async recordOf(tx: Queries, orderId: string): Promise<OrderPaymentRecord> {
    const [row] = await tx.$queryRaw<Array<Partial<PaymentRow> & { tombstoned: boolean }>>`
      SELECT p.id::text, p.order_id, p.customer_id, p.status, p.amount_cents, p.currency, p.failure_reason,
             p.authorization_id,
             p.id IS NULL AND EXISTS (SELECT 1 FROM order_tombstones WHERE order_id = ${orderId}) AS tombstoned
      FROM (SELECT 1) AS one LEFT JOIN payments p ON p.order_id = ${orderId}`;
    if (row.id) return { payment: toPayment(row as PaymentRow), tombstoned: false };
    return { payment: null, tombstoned: row.tombstoned };
  }

  /** The payment of an order, if any; read in `db` (a transaction), or on its own. */
  async findByOrder(orderId: string, db: Queries = this.db): Promise<Payment | null> {
    const rows = await db.$queryRaw<PaymentRow[]>`
      SELECT id::text, order_id, customer_id, status, amount_cents, currency, failure_reason, authorization_id
      FROM payments WHERE order_id = ${orderId}`;
    return rows[0] ? toPayment(rows[0]) : null;
  }

  /** Inserts the order's payment unless it has one already; false when it had. */
  async insert(tx: PaymentTransaction, payment: Payment): Promise<boolean> {
    const inserted = await tx.$executeRaw`
      INSERT INTO payments (id, order_id, customer_id, status, amount_cents, currency, failure_reason, authorization_id)
      VALUES (${payment.id}::uuid, ${payment.orderId}, ${payment.customerId}, ${payment.status},
              ${BigInt(payment.amountCents)}, ${payment.currency}, ${payment.failureReason}, ${payment.authorizationId})
      ON CONFLICT (order_id) DO NOTHING`;
    return inserted === 1;
  }

  /** Moves the order's payment from AUTHORIZED to `status`; false when it was not AUTHORIZED any more. */
  async settle(tx: PaymentTransaction, orderId: string, status: 'CAPTURED' | 'VOIDED'): Promise<boolean> {
    const updated = await tx.$executeRaw`
      UPDATE payments SET status = ${status}, updated_at = now()
      WHERE order_id = ${orderId} AND status = 'AUTHORIZED'`;
    return updated === 1;
  }

  /** Remembers an order cancelled before its order.placed arrived; false when it was already remembered. */
  async tombstone(
    tx: PaymentTransaction,
    tombstone: { orderId: string; customerId: string; reason: string; eventId: string },
  ): Promise<boolean> {
    const inserted = await tx.$executeRaw`
      INSERT INTO order_tombstones (order_id, customer_id, reason, event_id)
      VALUES (${tombstone.orderId}, ${tombstone.customerId}, ${tombstone.reason}, ${tombstone.eventId}::uuid)
      ON CONFLICT (order_id) DO NOTHING`;
    return inserted === 1;
  }
}
