import { baseConfigSchema } from '@commerce/platform';
import { z } from 'zod';

/** The order app's variables: the base ones, the deadline by which a PENDING order must settle, and key retention. */
export const orderConfigSchema = baseConfigSchema.extend({
  // A PENDING order that inventory and payment have not both answered within this long (from its
  // placing) is cancelled with reason TIMEOUT, so a lost or dead-lettered answer never leaves it
  // PENDING forever. Long enough to ride out a restart or a broker outage: 2 minutes.
  ORDER_SETTLE_TIMEOUT_MS: z.coerce.number().int().min(1000).max(604_800_000).default(120_000),
  // How often each replica looks for orders past the deadline, and how many it cancels per transaction
  // (a full batch is followed by the next at once).
  ORDER_SETTLE_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(5000),
  ORDER_SETTLE_SWEEP_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
  // An Idempotency-Key is kept this long, then deleted: a retry after that would place a second
  // order, so it is far longer than any client's retry window (a day at least; a week by default).
  IDEMPOTENCY_KEY_RETENTION_HOURS: z.coerce.number().int().min(24).max(8760).default(168),
  // How often each replica deletes expired keys, and how many per statement (a full batch is followed
  // by the next at once, so a backlog drains without long locks or one huge transaction).
  IDEMPOTENCY_KEY_CLEANUP_INTERVAL_MS: z.coerce.number().int().min(100).max(86_400_000).default(600_000),
  IDEMPOTENCY_KEY_CLEANUP_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(1000),
});

export type OrderConfig = z.infer<typeof orderConfigSchema>;
