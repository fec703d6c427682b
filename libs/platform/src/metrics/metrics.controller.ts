import { Controller, Get, NotFoundException, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Metrics } from './metrics.ts';

/**
 * `GET <prefix>/metrics`: the Prometheus text exposition of this app. For the scraper on the
 * internal network: the gateway does not route it (docker-compose.yml, tools/ci/compose-check.ts).
 */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get()
  async scrape(@Res() res: Response): Promise<void> {
    const body = await this.metrics.exposition();
    res.setHeader('Cache-Control', 'no-store');
    res.type(this.metrics.contentType).send(body);
  }
}

/**
 * `GET <prefix>/metrics` while metrics are off (METRICS_ENABLED=false): 404, from the platform, so
 * that no route of the app's own (order's `GET <prefix>/:id`) answers for it.
 */
@Controller('metrics')
export class MetricsOffController {
  @Get()
  scrape(): never {
    throw new NotFoundException('Metrics are off in this app (METRICS_ENABLED=false).');
  }
}
