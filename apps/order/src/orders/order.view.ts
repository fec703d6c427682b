/** An order as the API shows it. */
export interface OrderView {
  id: string;
  customerId: string;
  status: string;
  cancelReason?: string;
  items: Array<{ sku: string; quantity: number; unitPriceCents: number }>;
  totalCents: number;
  currency: string;
  createdAt: string;
  updatedAt: string;
}

/** One line of an order's history: the event, and the status it left the order in. */
export interface HistoryEntry {
  status: string;
  changed: boolean;
  eventId: string;
  eventType: string;
  reason?: string;
  at: string;
}

/** A page of orders; `nextCursor` is null on the last page. */
export interface OrderPage {
  items: OrderView[];
  nextCursor: string | null;
}
