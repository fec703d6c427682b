// The contract's invariants (docs/contract.md, Invariants) checked over HTTP for a set of accepted
// orders: each one settled and in a list, its history agreeing; CONFIRMED <=> payment CAPTURED,
// CANCELLED => nothing captured or still held; the stock equation per sku, sold = the units of
// CONFIRMED orders; one email per (order, type), none contradicting the status.
import { type Json, pool, type Reply, type Session, sleep, until } from './api.ts';
import type { Planned } from './orders.ts';
import type { Product } from './shop.ts';
import { Counter } from './stats.ts';

export interface Accepted extends Planned {
  orderId?: string;
}

export interface Settled<P extends Accepted = Accepted> {
  placed: P;
  status: string;
  cancelReason?: string;
  placedAt: number;
  settledAt?: number;
  /** When the order app recorded the first inventory.* and payment.* outcome (its history). */
  inventoryAt?: number;
  paymentAt?: number;
}

/** Adds `kind: n (the first ten)` to `list` when there are details. */
export function failure(list: string[], kind: string, details: string[]): void {
  if (details.length === 0) return;
  list.push(`${kind}: ${details.length} (${details.slice(0, 10).join('; ')}${details.length > 10 ? '; …' : ''})`);
}

const at = (entry: Json) => (entry ? Date.parse(entry.at) : undefined);

/**
 * The final status and history of each accepted order (`listed`: the admin's CONFIRMED and
 * CANCELLED lists); adds to `failures` orders in no list (and not `pending`), histories that
 * disagree, and tok_decline orders CONFIRMED.
 */
export async function readSettled<P extends Accepted>(
  admin: Session,
  accepted: P[],
  listed: { confirmed: Map<string, Json>; cancelled: Map<string, Json> },
  pending: string[],
  failures: string[],
): Promise<{ settled: Settled<P>[]; outcomes: Counter }> {
  const outcomes = new Counter();
  const settled: Settled<P>[] = [];
  const lost: string[] = [];
  const historyMismatch: string[] = [];
  await pool(accepted, 8, async (p) => {
    const order = listed.confirmed.get(p.orderId!) ?? listed.cancelled.get(p.orderId!);
    if (!order) {
      if (!pending.includes(p.orderId!)) lost.push(p.orderId!);
      return;
    }
    outcomes.add(order.status === 'CANCELLED' ? `CANCELLED ${order.cancelReason}` : order.status);
    const h = await admin.call('order', 'GET', `/${p.orderId}/history`);
    if (h.status !== 200 || !Array.isArray(h.body) || h.body.length === 0) {
      historyMismatch.push(`${p.orderId}: history ${h.status}`);
      return;
    }
    const history = h.body as Json[];
    const settling = history.find((e) => e.changed && (e.status === 'CONFIRMED' || e.status === 'CANCELLED'));
    if (settling?.status !== order.status)
      historyMismatch.push(`${p.orderId}: ${order.status}, history ${settling?.status}`);
    settled.push({
      placed: p,
      status: order.status,
      cancelReason: order.cancelReason,
      placedAt: Date.parse(history[0].at),
      settledAt: settling ? Date.parse(settling.at) : undefined,
      inventoryAt: at(history.find((e) => e.eventType.startsWith('inventory.'))),
      paymentAt: at(history.find((e) => e.eventType.startsWith('payment.'))),
    });
  });
  failure(failures, 'accepted orders found in no list', lost);
  failure(failures, 'orders whose history disagrees with their status', historyMismatch);
  failure(
    failures,
    'tok_decline orders CONFIRMED',
    settled
      .filter((s) => s.placed.paymentToken === 'tok_decline' && s.status === 'CONFIRMED')
      .map((s) => s.placed.orderId!),
  );
  return { settled, outcomes };
}

/** Adds the units of the CONFIRMED orders to each product's `soldExpected`. */
export function countSold(settled: Settled[], products: Product[]): void {
  for (const s of settled.filter((x) => x.status === 'CONFIRMED'))
    for (const item of s.placed.items) products.find((p) => p.sku === item.sku)!.soldExpected += item.quantity;
}

/**
 * CONFIRMED <=> CAPTURED, CANCELLED => neither CAPTURED nor AUTHORIZED (a hold left). The capture
 * and the void follow the settling event, so they are waited for until `deadline`.
 */
export async function checkPayments(admin: Session, settled: Settled[], deadline: number, failures: string[]) {
  const payments = new Map<string, Reply>();
  const read = (list: Settled[]) =>
    pool(list, 8, async (s) => {
      payments.set(s.placed.orderId!, await admin.call('payment', 'GET', `?orderId=${s.placed.orderId}`));
    });
  const status = (s: Settled) => payments.get(s.placed.orderId!)?.body?.status;
  const wrong = (s: Settled) =>
    s.status === 'CONFIRMED' ? status(s) !== 'CAPTURED' : status(s) === 'CAPTURED' || status(s) === 'AUTHORIZED';
  await read(settled);
  let open = settled.filter(wrong);
  while (open.length > 0 && Date.now() < deadline) {
    await sleep(500);
    await read(open);
    open = open.filter(wrong);
  }
  const detail = (s: Settled) => `${s.placed.orderId} ${payments.get(s.placed.orderId!)?.status} ${status(s) ?? ''}`;
  failure(
    failures,
    'CONFIRMED orders whose payment is not CAPTURED',
    open.filter((s) => s.status === 'CONFIRMED').map(detail),
  );
  failure(
    failures,
    'CANCELLED orders with a CAPTURED payment',
    open.filter((s) => s.status === 'CANCELLED' && status(s) === 'CAPTURED').map(detail),
  );
  failure(
    failures,
    'CANCELLED orders whose payment is still AUTHORIZED (a hold never voided)',
    open.filter((s) => s.status === 'CANCELLED' && status(s) === 'AUTHORIZED').map(detail),
  );
}

/**
 * Reserved back to 0 once every order settled (inventory commits or releases after the order app
 * decides: waited for until `deadline`); then the equation, available >= 0, and sold = the units
 * of CONFIRMED orders (`soldExpected`).
 */
export async function checkStock(
  admin: Session,
  products: Product[],
  allSettled: boolean,
  deadline: number,
  failures: string[],
): Promise<void> {
  let stock: Json[] = [];
  await until(deadline, 500, async () => {
    stock = await pool(products, 4, async (p) => (await admin.call('inventory', 'GET', `/products/${p.sku}`)).body);
    return !allSettled || stock.every((s) => s?.reserved === 0);
  });
  const problems: string[] = [];
  products.forEach((p, i) => {
    const s = stock[i];
    if (!s || typeof s.available !== 'number') return problems.push(`${p.sku}: unreadable ${JSON.stringify(s)}`);
    if (p.initial + p.restocked !== s.available + s.reserved + s.sold)
      problems.push(`${p.sku}: ${p.initial} + ${p.restocked} != ${s.available} + ${s.reserved} + ${s.sold}`);
    if (s.available < 0) problems.push(`${p.sku}: available ${s.available}`);
    if (allSettled && s.reserved !== 0) problems.push(`${p.sku}: reserved ${s.reserved} with every order settled`);
    if (allSettled && s.sold !== p.soldExpected)
      problems.push(`${p.sku}: sold ${s.sold}, CONFIRMED orders hold ${p.soldExpected}`);
  });
  failure(failures, 'stock', problems);
}

/** The email an order's status calls for besides ORDER_RECEIVED. */
export const finalEmail = (s: Settled) => (s.status === 'CONFIRMED' ? 'ORDER_CONFIRMED' : 'ORDER_CANCELLED');

/**
 * Each customer's notifications, keyed `<orderId> <type>`, read again until every settled order has
 * its ORDER_RECEIVED and final email, or `timeoutMs` passes.
 */
export async function collectEmails(settled: Settled[], timeoutMs: number): Promise<Map<string, Json[]>> {
  const customers = new Set(settled.map((s) => s.placed.customer));
  const emails = new Map<string, Json[]>();
  const complete = () =>
    settled.every(
      (s) => emails.has(`${s.placed.orderId} ORDER_RECEIVED`) && emails.has(`${s.placed.orderId} ${finalEmail(s)}`),
    );
  await until(Date.now() + timeoutMs, 1_000, async () => {
    emails.clear();
    await pool([...customers], 4, async (customer) => {
      const r = await customer.call('notification', 'GET', '?limit=100');
      if (r.status !== 200) return;
      for (const n of r.body as Json[]) {
        if (!n.orderId) continue;
        const key = `${n.orderId} ${n.type}`;
        emails.set(key, [...(emails.get(key) ?? []), n]);
      }
    });
    return complete();
  });
  return emails;
}

/** One email per (order, type): ORDER_RECEIVED and the final one, and never the other final one. */
export function checkEmails(settled: Settled[], emails: Map<string, Json[]>, waitedMs: number, failures: string[]) {
  const missing: string[] = [];
  const duplicated: string[] = [];
  const wrong: string[] = [];
  for (const s of settled) {
    const id = s.placed.orderId!;
    const other = s.status === 'CONFIRMED' ? 'ORDER_CANCELLED' : 'ORDER_CONFIRMED';
    for (const type of ['ORDER_RECEIVED', finalEmail(s)]) {
      const got = emails.get(`${id} ${type}`) ?? [];
      if (got.length === 0) missing.push(`${id} ${type}`);
      if (got.length > 1) duplicated.push(`${id} ${type} ×${got.length}`);
    }
    if (emails.has(`${id} ${other}`)) wrong.push(`${id} ${s.status} has ${other}`);
  }
  failure(failures, `emails missing ${waitedMs / 1000} s after settling`, missing);
  failure(failures, 'emails recorded more than once', duplicated);
  failure(failures, "emails that contradict the order's status", wrong);
}
