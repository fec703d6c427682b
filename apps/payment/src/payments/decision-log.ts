import type { Logger } from '@nestjs/common';
import type { PaymentDecision } from './payment-rules.ts';

/** Logs a decision that changes nothing, at the level the rules gave it. */
export function logNothing(
  logger: Logger,
  decision: Extract<PaymentDecision, { action: 'nothing' }>,
  context: { orderId: string; eventType: string },
): void {
  logger[decision.level]({ ...context, why: decision.why }, `${context.eventType}: nothing to do`);
}
