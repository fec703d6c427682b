import type { UserCreatedV1 } from '@commerce/contracts';
import { Injectable } from '@nestjs/common';
import type { NotificationTransaction } from '../notification.database.ts';

// One statement: a redelivered or repeated user.created updates the copy instead of failing.
const REMEMBER = `
  INSERT INTO users (user_id, email, name) VALUES ($1, $2, $3)
  ON CONFLICT (user_id) DO UPDATE SET email = EXCLUDED.email, name = EXCLUDED.name`;

/** The app's own copy of users (from user.created): whom an email goes to. */
@Injectable()
export class UsersRepository {
  /** Keeps (or refreshes) a user's address and name, in the caller's transaction. */
  async remember(tx: NotificationTransaction, user: UserCreatedV1): Promise<void> {
    await tx.$executeRawUnsafe(REMEMBER, user.userId, user.email, user.name);
  }
}
