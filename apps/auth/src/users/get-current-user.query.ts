import { NotFoundException } from '@nestjs/common';
import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import type { CurrentUserView } from './user.view.ts';
import { UsersRepository } from './users.repository.ts';

/** The caller's own profile, with its roles. */
export class GetCurrentUserQuery extends Query<CurrentUserView> {
  constructor(readonly userId: string) {
    super();
  }
}

@QueryHandler(GetCurrentUserQuery)
export class GetCurrentUserHandler implements IQueryHandler<GetCurrentUserQuery> {
  constructor(private readonly users: UsersRepository) {}

  async execute(query: GetCurrentUserQuery): Promise<CurrentUserView> {
    // A valid token can outlive its account.
    const user = await this.users.findById(query.userId);
    if (!user) throw new NotFoundException('This account no longer exists.');
    return { id: user.id, email: user.email, name: user.name, roles: user.roles };
  }
}
