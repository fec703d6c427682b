import {
  type ApiRoute,
  AUTHENTICATED_PROBLEMS,
  BEARER,
  INPUT_PROBLEMS,
  json,
  problemResponses,
} from '@commerce/platform';
import { z } from 'zod';
import type { HistoryEntry, OrderPage, OrderView } from './order.view.ts';
import { IdempotencyKey, ListQuery, OrderId, PlaceOrderBody } from './orders.controller.ts';

// What the API shows (order.view.ts); typed against the views, so a view that changes breaks the build here.
const OrderViewSchema: z.ZodType<OrderView> = z
  .object({
    id: z.uuid(),
    customerId: z.uuid(),
    status: z.enum(['PENDING', 'CONFIRMED', 'CANCELLED']),
    cancelReason: z
      .enum(['OUT_OF_STOCK', 'UNKNOWN_SKU', 'PAYMENT_DECLINED', 'CUSTOMER_CANCELLED', 'TIMEOUT'])
      .optional()
      .meta({ description: 'Only when CANCELLED.' }),
    items: z.array(z.object({ sku: z.string(), quantity: z.number().int(), unitPriceCents: z.number().int() })),
    totalCents: z.number().int(),
    currency: z.string().meta({ example: 'USD' }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Order' });

const OrderPageSchema: z.ZodType<OrderPage> = z
  .object({
    items: z.array(OrderViewSchema),
    nextCursor: z.string().nullable().meta({ description: 'Pass back as `cursor`; null on the last page.' }),
  })
  .meta({ id: 'OrderPage' });

const HistoryEntrySchema: z.ZodType<HistoryEntry> = z
  .object({
    status: z.enum(['PENDING', 'CONFIRMED', 'CANCELLED']),
    changed: z.boolean(),
    eventId: z.uuid(),
    eventType: z.string(),
    reason: z.string().optional(),
    at: z.iso.datetime(),
  })
  .meta({ id: 'OrderHistoryEntry' });

const orderExample: OrderView = {
  id: '0b6f3c2e-7d1a-4c55-9a3e-2f4b8f0e6a11',
  customerId: '5d2c9a8e-1b47-4f0a-8c3d-6e7f9a0b1c2d',
  status: 'PENDING',
  items: [{ sku: 'TSHIRT-M', quantity: 2, unitPriceCents: 1999 }],
  totalCents: 3998,
  currency: 'USD',
  createdAt: '2026-11-30T12:00:00.000Z',
  updatedAt: '2026-11-30T12:00:00.000Z',
};

const orderPath = { path: z.object({ id: OrderId.meta({ description: 'The order id.' }) }) };
const tags = ['orders'];

/** The order routes (docs/contract.md, order): every one needs an access token. */
export const ordersApi: readonly ApiRoute[] = [
  {
    method: 'post',
    path: '',
    operation: {
      tags,
      summary: 'Place an order',
      description:
        "Prices come from the order app's catalog copy. The same `Idempotency-Key` with the same body answers the same order; with another body, 422. Publishes `order.placed`.",
      security: BEARER,
      requestParams: {
        header: z.object({
          'idempotency-key': IdempotencyKey.meta({
            description: "The caller's own key, kept for a week.",
            example: 'cart-7f3a-1',
          }),
        }),
      },
      requestBody: {
        required: true,
        content: json(PlaceOrderBody, { items: [{ sku: 'TSHIRT-M', quantity: 2 }], paymentToken: 'tok_ok' }),
      },
      responses: {
        '202': { description: 'The order, PENDING.', content: json(OrderViewSchema, orderExample) },
        ...problemResponses(...AUTHENTICATED_PROBLEMS, ...INPUT_PROBLEMS),
      },
    },
  },
  {
    method: 'get',
    path: '',
    operation: {
      tags,
      summary: 'List orders',
      description: "The caller's orders (every customer's for an admin), newest first.",
      security: BEARER,
      requestParams: { query: ListQuery },
      responses: {
        '200': {
          description: 'A page of orders.',
          content: json(OrderPageSchema, { items: [orderExample], nextCursor: null }),
        },
        ...problemResponses(...AUTHENTICATED_PROBLEMS, 400, 422),
      },
    },
  },
  {
    method: 'get',
    path: '/{id}',
    operation: {
      tags,
      summary: 'Get an order',
      security: BEARER,
      requestParams: orderPath,
      responses: {
        '200': { description: 'The order.', content: json(OrderViewSchema, { ...orderExample, status: 'CONFIRMED' }) },
        ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 422),
      },
    },
  },
  {
    method: 'get',
    path: '/{id}/history',
    operation: {
      tags,
      summary: 'The events an order saw',
      description: 'Oldest first; an outcome that changed nothing has `changed: false` and a `reason`.',
      security: BEARER,
      requestParams: orderPath,
      responses: {
        '200': {
          description: 'Every event of the order.',
          content: json(z.array(HistoryEntrySchema), [
            {
              status: 'PENDING',
              changed: true,
              eventId: orderExample.id,
              eventType: 'order.placed',
              at: orderExample.createdAt,
            },
          ]),
        },
        ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 422),
      },
    },
  },
  {
    method: 'post',
    path: '/{id}/cancel',
    operation: {
      tags,
      summary: 'Cancel a PENDING order',
      description: 'Publishes `order.cancelled` with CUSTOMER_CANCELLED.',
      security: BEARER,
      requestParams: orderPath,
      responses: {
        '202': {
          description: 'The order, CANCELLED.',
          content: json(OrderViewSchema, { ...orderExample, status: 'CANCELLED', cancelReason: 'CUSTOMER_CANCELLED' }),
        },
        ...problemResponses(
          ...AUTHENTICATED_PROBLEMS,
          [403, "An admin who is not the order's customer."],
          404,
          [409, 'The order is already CONFIRMED or CANCELLED.'],
          422,
        ),
      },
    },
  },
];
