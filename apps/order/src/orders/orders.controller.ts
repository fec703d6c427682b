import { Authenticated, type AuthenticatedUser, CurrentUser, parseInput, ZodPipe } from '@commerce/platform';
import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { z } from 'zod';
import { CancelOrderCommand } from './cancel-order.command.ts';
import { GetOrderHistoryQuery } from './get-order-history.query.ts';
import { GetOrderQuery } from './get-order.query.ts';
import { ListOrdersQuery } from './list-orders.query.ts';
import { PlaceOrderCommand } from './place-order.command.ts';

// Limits keep one request's work bounded: 50 lines, 1,000 of a sku.
export const PlaceOrderBody = z.strictObject({
  items: z
    .array(
      z.strictObject({
        sku: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, dot, dash, underscore (max 64)'),
        quantity: z.number().int('must be a whole number').min(1, 'must be at least 1').max(1000, 'at most 1000'),
      }),
    )
    .min(1, 'an order needs at least one item')
    .max(50, 'at most 50 items')
    .refine((items) => new Set(items.map((i) => i.sku)).size === items.length, 'name each sku once'),
  paymentToken: z.string().min(1).max(100),
});

export const IdempotencyKey = z
  .string()
  .regex(/^[\x21-\x7e]{1,200}$/, 'printable ASCII without spaces, at most 200 characters')
  .optional();

export const ListQuery = z.strictObject({
  status: z.enum(['PENDING', 'CONFIRMED', 'CANCELLED']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

export const OrderId = z.uuid('must be an order id');

/** The order API (docs/contract.md, order): commands and queries go through the CQRS buses. */
@Controller()
@Authenticated()
export class OrdersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @HttpCode(202)
  place(
    @CurrentUser() caller: AuthenticatedUser,
    @Body(new ZodPipe(PlaceOrderBody)) body: z.infer<typeof PlaceOrderBody>,
    @Headers('idempotency-key') key: string | undefined,
  ) {
    const idempotencyKey = parseInput(IdempotencyKey, key, 'Idempotency-Key header');
    return this.commands.execute(new PlaceOrderCommand(caller.id, body.items, body.paymentToken, idempotencyKey));
  }

  @Get()
  list(@CurrentUser() caller: AuthenticatedUser, @Query(new ZodPipe(ListQuery)) query: z.infer<typeof ListQuery>) {
    return this.queries.execute(new ListOrdersQuery(caller, query.limit, query.status, query.cursor));
  }

  @Get(':id')
  get(@CurrentUser() caller: AuthenticatedUser, @Param('id') id: string) {
    return this.queries.execute(new GetOrderQuery(this.orderId(id), caller));
  }

  @Get(':id/history')
  history(@CurrentUser() caller: AuthenticatedUser, @Param('id') id: string) {
    return this.queries.execute(new GetOrderHistoryQuery(this.orderId(id), caller));
  }

  @Post(':id/cancel')
  @HttpCode(202)
  cancel(@CurrentUser() caller: AuthenticatedUser, @Param('id') id: string) {
    return this.commands.execute(new CancelOrderCommand(this.orderId(id), caller));
  }

  private orderId(id: string): string {
    return parseInput(OrderId, id, 'order id');
  }
}
