// Placing orders as customers do, and finding them again: a mix of one or two skus (5 % with a
// declining card), each POST sent again with the same Idempotency-Key while it gets no answer, a
// 5xx or a 429; and the admin's order lists, for what is still PENDING.
import { randomUUID } from 'node:crypto';
import type { Json, Reply, Session } from './api.ts';
import type { Product } from './shop.ts';

export interface Planned {
  customer: Session;
  items: Array<{ sku: string; quantity: number }>;
  paymentToken: 'tok_ok' | 'tok_decline';
  key: string;
}

export interface PlaceResult {
  /** The final reply's status ('error' when none came). */
  status: number | 'error';
  attempts: number;
  /** Set when the order was accepted (202). */
  orderId?: string;
}

/** `count` orders over the customers in turn; `rand` chooses the skus, quantities and card. */
export function planOrders(rand: () => number, count: number, customers: Session[], products: Product[]): Planned[] {
  return Array.from({ length: count }, (_, i) => {
    const first = Math.floor(rand() * products.length);
    const skus = [products[first]!.sku];
    if (rand() < 0.5)
      skus.push(products[(first + 1 + Math.floor(rand() * (products.length - 1))) % products.length]!.sku);
    return {
      customer: customers[i % customers.length]!,
      items: skus.map((sku) => ({ sku, quantity: 1 + Math.floor(rand() * 3) })),
      paymentToken: rand() < 0.05 ? 'tok_decline' : 'tok_ok',
      key: randomUUID(),
    };
  });
}

/** POST /api/orders with the plan's Idempotency-Key, at most `attempts` times (the first included). */
export async function placeOrder(
  plan: Planned,
  options: { attempts: number; onReply?: (reply: Reply) => void },
): Promise<PlaceResult> {
  const reply = await plan.customer.call('order', 'POST', '', {
    body: { items: plan.items, paymentToken: plan.paymentToken },
    headers: { 'Idempotency-Key': plan.key },
    attempts: options.attempts,
    onReply: options.onReply,
  });
  return {
    status: reply.status,
    attempts: reply.attempts,
    orderId: reply.status === 202 ? reply.body?.id : undefined,
  };
}

/**
 * A POST that got no answer at all may still have placed its order: the client cannot tell. As a
 * real client would, it asks again with the same Idempotency-Key once the load is over, until the
 * server answers: 202 (the order it placed then, or places now) or a refusal. Without this, an
 * order placed behind the client's back would be missing from every check that counts orders.
 */
export async function resolveUnanswered<P extends Planned & PlaceResult>(placed: P[]): Promise<P[]> {
  const unanswered = placed.filter((p) => p.status === 'error');
  for (const p of unanswered) {
    const again = await placeOrder(p, { attempts: 20 });
    Object.assign(p, { status: again.status, orderId: again.orderId });
  }
  return unanswered;
}

/** What a reply that is not a 202 said, for counting: status, title and detail (or the network error). */
export function replyProblem(r: Reply): string {
  const what = r.status === 'error' ? r.error : `${r.body?.title ?? ''}: ${r.body?.detail ?? r.body ?? ''}`;
  return `${r.status} ${String(what).slice(0, 120)}`;
}

/** Pages of the admin's order list with `status`, newest first, down to orders created before `since`. */
export async function listOrders(
  admin: Session,
  status: string,
  since: number,
  want?: Set<string>,
): Promise<Map<string, Json>> {
  const found = new Map<string, Json>();
  let cursor: string | null = null;
  for (let page = 0; page < 5_000; page++) {
    const query = `?status=${status}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const r = await admin.call('order', 'GET', query);
    if (r.status !== 200) throw new Error(`GET /api/orders${query}: ${r.status} ${JSON.stringify(r.body)}`);
    for (const order of r.body.items as Json[]) if (!want || want.has(order.id)) found.set(order.id, order);
    cursor = r.body.nextCursor;
    const oldest = (r.body.items as Json[]).at(-1);
    if (!cursor || (oldest && Date.parse(oldest.createdAt) < since)) break;
  }
  return found;
}
