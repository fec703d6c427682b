/** How a retry loop waits: the first delay, doubling per attempt, never more than the cap. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

/** The delay before retry number `attempt` (1 = the first retry): initialMs × 2^(attempt-1), capped. */
export function backoff(attempt: number, policy: BackoffPolicy): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  return Math.min(policy.maxMs, policy.initialMs * 2 ** exponent);
}
