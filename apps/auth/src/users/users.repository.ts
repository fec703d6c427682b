import { Outbox } from '@commerce/outbox';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuthDatabase } from '../auth.database.ts';
import type { UserView } from './user.entity.ts';

/** A stored user with what login needs. */
export interface StoredUser extends UserView {
  passwordHash: string;
  roles: string[];
}

/** Users, and `user.created` published with each new one. */
@Injectable()
export class UsersRepository {
  constructor(
    private readonly db: AuthDatabase,
    private readonly outbox: Outbox,
  ) {}

  /** Creates the user and its `user.created` in one transaction; undefined if the email is taken. */
  async create(user: Omit<StoredUser, 'id'>): Promise<StoredUser | undefined> {
    const id = randomUUID();
    return this.db.$transaction(async (tx) => {
      // ON CONFLICT rather than a read first: two registrations of one email race safely.
      const inserted = await tx.$executeRaw`
        INSERT INTO users (id, email, name, password_hash, roles)
        VALUES (${id}::uuid, ${user.email}, ${user.name}, ${user.passwordHash}, ${user.roles})
        ON CONFLICT (email) DO NOTHING`;
      if (inserted === 0) return undefined;
      await this.outbox.add(
        tx,
        this.outbox.event('user.created', { userId: id, email: user.email, name: user.name }, id),
      );
      return { id, ...user };
    });
  }

  findByEmail(email: string): Promise<StoredUser | null> {
    return this.db.user.findUnique({ where: { email } });
  }

  findById(id: string): Promise<StoredUser | null> {
    return this.db.user.findUnique({ where: { id } });
  }
}
