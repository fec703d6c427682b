import { BaseRpcContext } from '@nestjs/microservices';
import type { HandlerTransaction, MessageOrigin } from '../consumer/event-handler.ts';

/**
 * What an `@EventPattern` handler gets with `@Ctx()`: the transaction its inbox row is in (write
 * through it, and the effect commits exactly once with that row), and where the message came from.
 */
export class EventContext<Tx = HandlerTransaction> extends BaseRpcContext<[Tx, MessageOrigin]> {
  /** The transaction the handler runs in, with its inbox row: commit and record are one. */
  get tx(): Tx {
    return this.args[0];
  }

  get topic(): string {
    return this.args[1].topic;
  }

  get partition(): number {
    return this.args[1].partition;
  }

  get offset(): string {
    return this.args[1].offset;
  }

  get headers(): Record<string, string> {
    return this.args[1].headers;
  }
}
