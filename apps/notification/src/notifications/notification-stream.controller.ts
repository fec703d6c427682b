import { type AuthenticatedUser, Authenticated, CurrentUser } from '@commerce/platform';
import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { NotificationStreams } from './notification-streams.ts';

/** The caller's notifications as they are sent, as server-sent events (docs/contract.md, notification). */
@Controller()
export class NotificationStreamController {
  constructor(private readonly streams: NotificationStreams) {}

  /** GET /api/notifications/stream — `text/event-stream` of the caller's notifications as they are sent. */
  // Written on the raw response: Nest's @Sse cannot send the comment lines that keep it open.
  // EventSource cannot send headers, so this route alone also takes the token as ?access_token=.
  @Get('stream')
  @Authenticated({ queryToken: true })
  stream(@CurrentUser() user: AuthenticatedUser, @Res() response: Response): Promise<void> {
    return this.streams.stream(user, response);
  }
}
