import { Command } from '@nestjs/cqrs';

/**
 * Idempotency keys claimed longer than `retentionMs` ago are deleted: up to `limit` of them, oldest
 * first, in one statement. Answers how many it deleted.
 */
export class DeleteExpiredIdempotencyKeysCommand extends Command<number> {
  constructor(
    readonly retentionMs: number,
    readonly limit: number,
  ) {
    super();
  }
}
