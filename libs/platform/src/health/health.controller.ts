import { Controller, Get, Inject, Req, Res, ServiceUnavailableException } from '@nestjs/common';
import { type HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Request, Response } from 'express';
import { ACCESS_TOKEN_KEYS, type AccessTokenKeys, verifyAccessToken } from '../auth/access-token.ts';
import { isAdmin } from '../auth/access-token.guard.ts';
import { APP_CONFIG, type BaseConfig } from '../config/config.ts';
import { withTimeout } from '../timeout.ts';
import { type HealthCheckKind, NotReadyError, ReadinessRegistry } from './readiness.ts';

/**
 * `live`: the process serves HTTP. `ready`: the app can serve its HTTP routes (its readiness checks,
 * the database), which is what the gateway routes by. `/health`: every check, readiness and
 * components (Kafka, consumers, outbox, dead letters), 503 if any is down: for operators and alerts.
 * Every route is public, and the public answer is the status code and each check's up or down; the
 * details (cluster ids, group, errors, lag, counts) go only to a caller with an admin's access token.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly registry: ReadinessRegistry,
    @Inject(APP_CONFIG) private readonly config: BaseConfig,
    @Inject(ACCESS_TOKEN_KEYS) private readonly keys: AccessTokenKeys,
  ) {}

  @Get()
  components(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    return this.report(req, res, this.checks());
  }

  @Get('live')
  live(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    return this.report(req, res, []);
  }

  @Get('ready')
  ready(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    return this.report(req, res, this.checks('readiness'));
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
  private async report(
    req: Request,
    res: Response,
    checks: Parameters<HealthCheckService['check']>[0],
  ): Promise<HealthCheckResult> {
    res.setHeader('Cache-Control', 'no-store');
    const [result, detailed] = await Promise.all([this.run(res, checks), this.callerIsAdmin(req)]);
    return detailed ? result : statusOnly(result);
  }

  private async run(res: Response, checks: Parameters<HealthCheckService['check']>[0]): Promise<HealthCheckResult> {
    try {
      return await this.health.check(checks);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      res.status(503);
      return error.getResponse() as HealthCheckResult;
    }
  }

  // A health route never refuses: a missing, invalid or customer's token (or keys that cannot be
  // fetched) gets the public answer, so probes and load balancers need no token and see no 401.
  private async callerIsAdmin(req: Request): Promise<boolean> {
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return false;
    return verifyAccessToken(token, this.keys).then(isAdmin, () => false);
  }
}

/** The public answer: the overall status and each check's up or down, nothing a check said besides. */
function statusOnly(result: HealthCheckResult): HealthCheckResult {
  const strip = <S extends Partial<HealthCheckResult['details']>>(section: S): S =>
    Object.fromEntries(Object.entries(section).map(([name, entry]) => [name, { status: entry!.status }])) as S;
  return {
    status: result.status,
    ...(result.info ? { info: strip(result.info) } : {}),
    ...(result.error ? { error: strip(result.error) } : {}),
    details: strip(result.details),
  };
}
