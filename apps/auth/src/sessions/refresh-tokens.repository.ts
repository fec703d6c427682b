import { Injectable } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { AuthDatabase, type AuthTransaction } from '../auth.database.ts';

/** What presenting a refresh token led to. */
export type RefreshOutcome =
  { kind: 'rotated'; userId: string; token: string } | { kind: 'reused'; familyId: string } | { kind: 'invalid' };

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Refresh tokens: random, stored only as SHA-256, one use each. A token spent twice means it
 * leaked, so the whole family (every token descended from that login) is revoked.
 */
@Injectable()
export class RefreshTokensRepository {
  constructor(private readonly db: AuthDatabase) {}

  /** A new token starting (or continuing) a family. */
  async issue(userId: string, ttlDays: number, familyId: string = randomUUID(), tx: AuthTransaction = this.db) {
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

  /** Spends `token` and issues its successor; a second use revokes the family. */
  async rotate(token: string, ttlDays: number): Promise<RefreshOutcome> {
    const hash = digest(token);
    return this.db.$transaction(async (tx) => {
      const presented = await tx.refreshToken.findUnique({ where: { tokenHash: hash } });
      if (!presented) return { kind: 'invalid' } as const;
      // Rotations and revocations of one family take turns, so a revocation cannot miss a
      // successor issued at the same moment.
      await this.lockFamily(presented.familyId, tx);
      // Conditional: of two concurrent uses of one token, exactly one spends it.
      const spent = await tx.$queryRaw<Array<{ user_id: string }>>`
        UPDATE refresh_tokens SET used_at = now()
        WHERE token_hash = ${hash} AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now()
        RETURNING user_id`;
      if (spent.length === 1) {
        const userId = spent[0]!.user_id;
        return { kind: 'rotated', userId, token: await this.issue(userId, ttlDays, presented.familyId, tx) } as const;
      }
      const now = await tx.refreshToken.findUniqueOrThrow({ where: { tokenHash: hash } });
      if (now.usedAt) {
        await this.revokeFamily(now.familyId, tx);
        return { kind: 'reused', familyId: now.familyId } as const;
      }
      return { kind: 'invalid' } as const;
    });
  }

  /** Revokes the family of `token` (logout); unknown tokens are ignored. */
  async revoke(token: string): Promise<void> {
    await this.db.$transaction(async (tx) => {
      const known = await tx.refreshToken.findUnique({ where: { tokenHash: digest(token) } });
      if (!known) return;
      await this.lockFamily(known.familyId, tx);
      await this.revokeFamily(known.familyId, tx);
    });
  }

  private async lockFamily(familyId: string, tx: AuthTransaction): Promise<void> {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${familyId}, 0))`;
  }

  private async revokeFamily(familyId: string, tx: AuthTransaction): Promise<void> {
    await tx.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: new Date() } });
  }
}
