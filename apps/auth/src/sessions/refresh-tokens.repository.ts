import { Injectable } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { AuthTransaction } from '../auth.database.ts';

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A stored refresh token, found by the token itself. */
export interface StoredRefreshToken {
  userId: string;
  familyId: string;
  usedAt: Date | null;
}

/**
 * Refresh tokens: random, stored only as SHA-256, each in a family (every token descended from one
 * login). The rules of spending them are the session use cases'; this holds the rows.
 */
@Injectable()
export class RefreshTokensRepository {
  /** A new token in `familyId` (a login starts a family, a rotation continues it). */
  async issue(tx: AuthTransaction, userId: string, familyId: string, ttlDays: number): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await tx.refreshToken.create({
      data: {
        id: randomUUID(),
        userId,
        familyId,
        tokenHash: digest(token),
        expiresAt: new Date(Date.now() + ttlDays * 86_400_000),
      },
    });
    return token;
  }

  find(tx: AuthTransaction, token: string): Promise<StoredRefreshToken | null> {
    return tx.refreshToken.findUnique({
      where: { tokenHash: digest(token) },
      select: { userId: true, familyId: true, usedAt: true },
    });
  }

  /**
   * Spends `token` if it is unused, unrevoked and unexpired; its user's id, or undefined. A
   * conditional update: of two concurrent uses of one token, exactly one spends it.
   */
  async spend(tx: AuthTransaction, token: string): Promise<string | undefined> {
    const spent = await tx.$queryRaw<Array<{ user_id: string }>>`
      UPDATE refresh_tokens SET used_at = now()
      WHERE token_hash = ${digest(token)} AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now()
      RETURNING user_id`;
    return spent[0]?.user_id;
  }

  /** Until the transaction ends, rotations and revocations of this family take turns. */
  async lockFamily(tx: AuthTransaction, familyId: string): Promise<void> {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${familyId}, 0))`;
  }

  /** Revokes every token of the family still unrevoked; answers how many (0: it had ended before). */
  async revokeFamily(tx: AuthTransaction, familyId: string): Promise<number> {
    const revoked = await tx.refreshToken.updateMany({
      where: { familyId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    return revoked.count;
  }

  /**
   * Deletes up to `batch` tokens of finished logins: families with no live token left (every one
   * expired or revoked) whose token ended more than `retentionDays` ago. A family still alive keeps
   * its spent and expired tokens, so presenting one of them again still revokes it. Answers how many.
   */
  deleteFinished(db: AuthTransaction, retentionDays: number, batch: number): Promise<number> {
    return db.$executeRaw`
      DELETE FROM refresh_tokens WHERE id IN (
        SELECT r.id FROM refresh_tokens r
        WHERE least(r.revoked_at, r.expires_at) < now() - make_interval(days => ${retentionDays})
          AND NOT EXISTS (
            SELECT 1 FROM refresh_tokens l
            WHERE l.family_id = r.family_id AND l.revoked_at IS NULL AND l.expires_at > now())
        LIMIT ${batch})`;
  }
}
