import { Injectable } from '@nestjs/common';

/** One dependency that must answer for the app to be ready (its database, its Kafka connection…). */
export interface ReadinessCheck {
  /** The key under which the result appears in `/health/ready`. */
  readonly name: string;
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

/** Collects the readiness checks that the app's modules register at start-up. */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  /** Adds (or replaces) the check of that name. */
  register(check: ReadinessCheck): void {
    this.checks.set(check.name, check);
  }

  /** The registered checks, in registration order. */
  all(): ReadinessCheck[] {
    return [...this.checks.values()];
  }
}
