import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { type HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Response } from 'express';
import { APP_CONFIG, type BaseConfig } from '../config/config.ts';
import { withTimeout } from '../timeout.ts';
import { NotReadyError, ReadinessRegistry } from './readiness.ts';

/** `live`: the process serves HTTP. `ready`: every registered dependency answers (else 503). */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly registry: ReadinessRegistry,
    @Inject(APP_CONFIG) private readonly config: BaseConfig,
  ) {}

  @Get('live')
  live(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    return this.report(res, []);
  }

  @Get('ready')
  ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    return this.report(
      res,
      this.registry.all().map((check) => async () => {
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
      }),
    );
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
