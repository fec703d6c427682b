import { type AuthenticatedUser, isAdmin, problem } from '@commerce/platform';
import { NotFoundException } from '@nestjs/common';
import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { type PaymentView, viewOf } from './payment.view.ts';
import { PaymentsRepository } from './payments.repository.ts';

/** The payment of an order, if the caller may see it: its customer, or an admin. */
export class GetPaymentQuery extends Query<PaymentView> {
  constructor(
    readonly orderId: string,
    readonly caller: AuthenticatedUser,
  ) {
    super();
  }
}

@QueryHandler(GetPaymentQuery)
export class GetPaymentHandler implements IQueryHandler<GetPaymentQuery> {
  constructor(private readonly payments: PaymentsRepository) {}

  async execute({ orderId, caller }: GetPaymentQuery): Promise<PaymentView> {
    const payment = await this.payments.findByOrder(orderId);
    // Another customer's payment answers as an unknown one: its existence is not revealed.
    if (!payment || (payment.customerId !== caller.id && !isAdmin(caller)))
      throw new NotFoundException(problem(404, 'There is no payment for this order.'));
    return viewOf(payment);
  }
}
