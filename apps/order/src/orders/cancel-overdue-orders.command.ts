import { Command } from '@nestjs/cqrs';

/**
 * PENDING orders past their settle deadline are cancelled with reason TIMEOUT: up to `limit` of them,
 * in one transaction. Answers the ids it cancelled.
 */
export class CancelOverdueOrdersCommand extends Command<string[]> {
  constructor(
    readonly settleTimeoutMs: number,
    readonly limit: number,
  ) {
    super();
  }
}
