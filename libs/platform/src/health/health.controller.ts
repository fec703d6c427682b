import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { type HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Response } from 'express';
import { APP_CONFIG, type BaseConfig } from '../config/config.ts';
import { withTimeout } from '../timeout.ts';
import { type HealthCheckKind, NotReadyError, ReadinessRegistry } from './readiness.ts';

/**
 * `live`: the process serves HTTP. `ready`: the app can serve its HTTP routes (its readiness checks,
 * the database), which is what the gateway routes by. `/health`: every check, readiness and
 * components (Kafka, consumers, outbox, dead letters), 503 if any is down: for operators and alerts.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly registry: ReadinessRegistry,
    @Inject(APP_CONFIG) private readonly config: BaseConfig,
  ) {}

  @Get()
  components(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    return this.report(res, this.checks());
  }

  @Get('live')
  live(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    return this.report(res, []);
  }

  @Get('ready')
  ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    return this.report(res, this.checks('readiness'));
  }

  private checks(kind?: HealthCheckKind): Parameters<HealthCheckService['check']>[0] {
    return this.registry.all(kind).map((check) => async () => {
      const session = this.indicators.check(check.name);
      try {
        const details = await withTimeout(
          check.probe(),
          this.config.READY_CHECK_TIMEOUT_MS,
          `${check.name} did not answer within ${this.config.READY_CHECK_TIMEOUT_MS} ms`,
        );
        return session.up(details ?? {});
      } catch (error) {
        const details = error instanceof NotReadyError ? error.details : {};
        return session.down({ message: error instanceof Error ? error.message : String(error), ...details });
      }
    });
  }

  // Terminus signals 503 by throwing; the body (what is up, what is down) is the answer, not a problem.
  private async report(res: Response, checks: Parameters<HealthCheckService['check']>[0]): Promise<HealthCheckResult> {
    res.setHeader('Cache-Control', 'no-store');
    try {
      return await this.health.check(checks);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      res.status(503);
      return error.getResponse() as HealthCheckResult;
    }
  }
}
