import { Authenticated, type AuthenticatedUser, CurrentUser, ZodPipe } from '@commerce/platform';
import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { z } from 'zod';
import { GetPaymentQuery } from './get-payment.query.ts';
import type { PaymentView } from './payment.view.ts';

// An order id as the events carry it (libs/contracts: 1 to 200 characters). Control characters are
// refused here: Postgres text cannot hold NUL, and would answer 500. A repeated parameter is an array, refused too.
export const PaymentQuery = z.object({
  orderId: z
    .string()
    .min(1)
    .max(200)
    // eslint-disable-next-line no-control-regex
    .regex(/^[^\u0000-\u001f\u007f]+$/, 'must not contain control characters'),
});

/** GET /api/payments?orderId= (docs/contract.md, payment): the payment of an order, to its customer or an admin. */
@Controller()
@Authenticated()
export class PaymentsController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  byOrder(
    @Query(new ZodPipe(PaymentQuery)) query: z.infer<typeof PaymentQuery>,
    @CurrentUser() caller: AuthenticatedUser,
  ): Promise<PaymentView> {
    return this.queries.execute(new GetPaymentQuery(query.orderId, caller));
  }
}
