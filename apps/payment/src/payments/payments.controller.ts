import { Authenticated, type AuthenticatedUser, CurrentUser, isAdmin, problem, ZodPipe } from '@commerce/platform';
import { Controller, Get, NotFoundException, Query } from '@nestjs/common';
import { z } from 'zod';
import { PaymentDatabase } from '../payment.database.ts';
import { type PaymentView, viewOf } from './payment.entity.ts';
import { PaymentsRepository } from './payments.repository.ts';

// An order id as the events carry it (libs/contracts: 1 to 200 characters). Control characters are
// refused here: Postgres text cannot hold NUL, and would answer 500. A repeated parameter is an array, refused too.
const PaymentQuery = z.object({
  orderId: z
    .string()
    .min(1)
    .max(200)
    // eslint-disable-next-line no-control-regex
    .regex(/^[^\u0000-\u001f\u007f]+$/, 'must not contain control characters'),
});

/** GET /api/payments?orderId=: the payment of an order, to its customer or an admin. */
@Controller()
@Authenticated()
export class PaymentsController {
  constructor(
    private readonly db: PaymentDatabase,
    private readonly payments: PaymentsRepository,
  ) {}

  @Get()
  async byOrder(
    @Query(new ZodPipe(PaymentQuery)) query: z.infer<typeof PaymentQuery>,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<PaymentView> {
    const payment = await this.payments.findByOrder(this.db, query.orderId);
    // Another customer's payment answers as an unknown one: its existence is not revealed.
    if (!payment || (payment.customerId !== user.id && !isAdmin(user)))
      throw new NotFoundException(problem(404, 'There is no payment for this order.'));
    return viewOf(payment);
  }
}
