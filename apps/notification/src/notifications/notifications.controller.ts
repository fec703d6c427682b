import { type AuthenticatedUser, Authenticated, CurrentUser, ZodPipe } from '@commerce/platform';
import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { z } from 'zod';
import { ListNotificationsQuery } from './list-notifications.query.ts';
import type { SentNotification } from './notification.view.ts';

export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

/** The caller's notifications sent so far (docs/contract.md, notification). */
@Controller()
export class NotificationsController {
  constructor(private readonly queries: QueryBus) {}

  /** GET /api/notifications?limit= — the caller's sent notifications, newest first. */
  @Get()
  @Authenticated()
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Query(new ZodPipe(listQuery)) query: z.infer<typeof listQuery>,
  ): Promise<SentNotification[]> {
    return this.queries.execute(new ListNotificationsQuery(user.id, query.limit));
  }
}
