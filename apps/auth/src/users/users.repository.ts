import { Injectable } from '@nestjs/common';
import { AuthDatabase, type AuthTransaction } from '../auth.database.ts';
import type { User } from './user.entity.ts';

/** Users in the `auth` schema. */
@Injectable()
export class UsersRepository {
  constructor(private readonly db: AuthDatabase) {}

  /** Inserts the user; false when its email is taken. */
  async insert(tx: AuthTransaction, user: User): Promise<boolean> {
    // ON CONFLICT rather than a read first: two registrations of one email race safely.
    const inserted = await tx.$executeRaw`
      INSERT INTO users (id, email, name, password_hash, roles)
      VALUES (${user.id}::uuid, ${user.email}, ${user.name}, ${user.passwordHash}, ${user.roles})
      ON CONFLICT (email) DO NOTHING`;
    return inserted === 1;
  }

  findByEmail(email: string): Promise<User | null> {
    return this.db.user.findUnique({ where: { email } });
  }

  findById(id: string): Promise<User | null> {
    return this.db.user.findUnique({ where: { id } });
  }
}
