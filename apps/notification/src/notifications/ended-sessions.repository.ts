import { Injectable } from '@nestjs/common';
import { NotificationDatabase, type NotificationTransaction } from '../notification.database.ts';

/** A login session that auth said has ended, as `session.ended` named it. */
export interface EndedSession {
  sessionId: string;
  userId: string;
  reason: string;
}

// Older rows go, a bounded batch each time one is recorded: the table holds about a retention's
// worth of session ends. SKIP LOCKED: two replicas recording at once delete different rows.
const DELETE_EXPIRED = `
  DELETE FROM ended_sessions WHERE session_id IN (
    SELECT session_id FROM ended_sessions
    WHERE ended_at < now() - make_interval(secs => $1)
    ORDER BY ended_at
    LIMIT $2
    FOR UPDATE SKIP LOCKED)`;

/** Ended login sessions: written by the `session.ended` handler, read by the streams before they open and to end them. */
@Injectable()
export class EndedSessionsRepository {
  constructor(private readonly db: NotificationDatabase) {}

  /** Records that a session ended (once: a redelivery changes nothing), and deletes up to `batch` expired rows. */
  async record(tx: NotificationTransaction, ended: EndedSession, retentionSeconds: number, batch = 100): Promise<void> {
    await tx.$executeRaw`
      INSERT INTO ended_sessions (session_id, user_id, reason) VALUES (${ended.sessionId}, ${ended.userId}, ${ended.reason})
      ON CONFLICT (session_id) DO NOTHING`;
    await tx.$executeRawUnsafe(DELETE_EXPIRED, retentionSeconds, batch);
  }

  /** Which of `sessionIds` have ended, with why. */
  findEnded(sessionIds: readonly string[]): Promise<EndedSession[]> {
    if (sessionIds.length === 0) return Promise.resolve([]);
    return this.db.$queryRaw<EndedSession[]>`
      SELECT session_id AS "sessionId", user_id AS "userId", reason
      FROM ended_sessions WHERE session_id = ANY(${[...sessionIds]}::text[])`;
  }
}
