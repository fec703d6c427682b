import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import type { SentNotification } from './notification.view.ts';
import { NotificationsRepository } from './notifications.repository.ts';

/** A user's sent notifications, newest first, at most `limit`. */
export class ListNotificationsQuery extends Query<SentNotification[]> {
  constructor(
    readonly userId: string,
    readonly limit: number,
  ) {
    super();
  }
}

@QueryHandler(ListNotificationsQuery)
export class ListNotificationsHandler implements IQueryHandler<ListNotificationsQuery> {
  constructor(private readonly notifications: NotificationsRepository) {}

  execute(query: ListNotificationsQuery): Promise<SentNotification[]> {
    return this.notifications.listSent(query.userId, query.limit);
  }
}
