import { type AuthenticatedUser, Authenticated, CurrentUser, ZodPipe } from '@commerce/platform';
import { Controller, Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import type { SentNotification } from './notification.entity.ts';
import { NotificationStreams } from './notification-streams.ts';
import { NotificationsRepository } from './notifications.repository.ts';

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

/** The caller's notifications: those sent so far, and a stream of the ones sent from now on. */
@Controller()
export class NotificationsController {
  constructor(
    private readonly notifications: NotificationsRepository,
    private readonly streams: NotificationStreams,
  ) {}

  /** GET /api/notifications?limit= — the caller's sent notifications, newest first. */
  @Get()
  @Authenticated()
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Query(new ZodPipe(listQuery)) query: z.infer<typeof listQuery>,
  ): Promise<SentNotification[]> {
    return this.notifications.listSent(user.id, query.limit);
  }

  /** GET /api/notifications/stream — `text/event-stream` of the caller's notifications as they are sent. */
  // Written on the raw response: Nest's @Sse cannot send the comment lines that keep it open.
  @Get('stream')
  @Authenticated({ queryToken: true })
  stream(@CurrentUser() user: AuthenticatedUser, @Res() response: Response): void {
    this.streams.stream(user.id, response);
  }
}
