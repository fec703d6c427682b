import { Injectable } from '@nestjs/common';

/**
 * What a check says about the app. `readiness`: the app cannot serve its HTTP routes without it
 * (its database); it decides `/health/ready`, which the gateway routes by. `component`: a part the
 * app runs besides HTTP (Kafka, consumers, the outbox relay, dead letters); reported by `/health`
 * for operators and alerts, and never a reason to take HTTP traffic away.
 */
export type HealthCheckKind = 'readiness' | 'component';

/** One dependency or component of the app whose state `/health` reports. */
export interface ReadinessCheck {
  /** The key under which the result appears in the health report. */
  readonly name: string;
  readonly kind: HealthCheckKind;
  /** Resolves with details when the dependency answers; rejects with the reason when it does not. */
  probe(): Promise<Record<string, unknown> | void>;
}

/** Thrown by a probe whose dependency answers but is not fit to serve; `details` go into the report. */
export class NotReadyError extends Error {
  readonly details: Record<string, unknown>;

  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'NotReadyError';
    this.details = details;
  }
}

/** Collects the health checks that the app's modules register at start-up. */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  /** Adds (or replaces) the check of that name. */
  register(check: ReadinessCheck): void {
    this.checks.set(check.name, check);
  }

  /** The registered checks, in registration order; only those of `kind` when given. */
  all(kind?: HealthCheckKind): ReadinessCheck[] {
    return [...this.checks.values()].filter((check) => kind === undefined || check.kind === kind);
  }
}
