/** How a failed email backs off: initialMs × 2^(attempts − 1), at most maxMs. */
export interface MailRetry {
  initialMs: number;
  maxMs: number;
}

/** How long to wait before the next try of an email that has now failed `attempts` times (1 or more). */
export function retryDelayMs(attempts: number, retry: MailRetry): number {
  const exponent = Math.min(Math.max(attempts, 1) - 1, 30);
  return Math.min(retry.maxMs, retry.initialMs * 2 ** exponent);
}
