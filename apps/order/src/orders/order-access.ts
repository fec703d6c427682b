import { type AuthenticatedUser, isAdmin } from '@commerce/platform';
import { NotFoundException } from '@nestjs/common';

/** 404 for a missing order and for another customer's alike, so existence is not revealed. */
export function assertVisible<T extends { customerId: string }>(
  order: T | null | undefined,
  caller: AuthenticatedUser,
): T {
  if (!order || (order.customerId !== caller.id && !isAdmin(caller))) {
    throw new NotFoundException('No such order.');
  }
  return order;
}
