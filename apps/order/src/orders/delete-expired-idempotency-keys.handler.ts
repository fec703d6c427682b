import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DeleteExpiredIdempotencyKeysCommand } from './delete-expired-idempotency-keys.command.ts';
import { OrdersRepository } from './orders.repository.ts';

/**
 * Deletes a batch of expired idempotency keys. The orders they made stay: only a retry of the same
 * request after the retention would no longer find its order (and would place another).
 */
@CommandHandler(DeleteExpiredIdempotencyKeysCommand)
export class DeleteExpiredIdempotencyKeysHandler implements ICommandHandler<DeleteExpiredIdempotencyKeysCommand> {
  constructor(private readonly orders: OrdersRepository) {}

  execute({ retentionMs, limit }: DeleteExpiredIdempotencyKeysCommand): Promise<number> {
    return this.orders.deleteExpiredKeys(retentionMs, limit);
  }
}
