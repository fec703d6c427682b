import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ELDHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { resolveCorrelationId } from '../logging/correlation.ts';
import { problem, PROBLEM_CONTENT_TYPE } from './problem-details.ts';

// The histogram's own timer fires this often; a delay below it is noise.
const RESOLUTION_MS = 10;

/**
 * How late the event loop runs: the mean delay of its turns over the last sampling interval.
 * A saturated app is late on every turn, so new work would wait behind what it already has.
 */
export class EventLoopDelay {
  private readonly histogram: ELDHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private timer?: NodeJS.Timeout;
  private lastMs = 0;

  constructor(private readonly intervalMs = 500) {}

  start(): void {
    if (this.timer) return;
    this.histogram.enable();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.histogram.disable();
  }

  /** Reads the interval just ended and starts the next; exposed so a caller can sample at once. */
  sample(): number {
    // No turn recorded yet (mean is NaN) means the loop has not been late at all.
    const mean = this.histogram.count > 0 ? this.histogram.mean / 1e6 : 0;
    this.lastMs = Math.max(0, mean - RESOLUTION_MS);
    this.histogram.reset();
    return this.lastMs;
  }

  /** The mean delay of the last interval, in milliseconds. */
  get ms(): number {
    return this.lastMs;
  }
}

/** Whether a request must be answered even under load: health (the gateway, alerts) and metrics (seeing the load). */
const exempt = (url: string | undefined) => /\/(health|metrics)(\/|\?|$)/.test(url ?? '');

/**
 * Express middleware, first in the chain: while the event loop's delay is over `maxDelayMs`, every
 * request but the health and metrics routes is answered 503 with Retry-After at once, before its
 * body is read or any work begins, so it changes nothing and costs almost nothing. Work already
 * taken finishes sooner, and the client is told to come back instead of timing out in a queue.
 * 0 turns it off.
 */
export function eventLoopShedding(delay: EventLoopDelay, maxDelayMs: number, retryAfterSeconds: number) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    if (maxDelayMs <= 0 || delay.ms <= maxDelayMs || exempt(req.url)) return next();
    const correlationId = resolveCorrelationId(req, res);
    const body = problem(503, 'The service is too busy to take this request now; try again shortly.', {
      instance: (req.url ?? '').split('?')[0],
      correlationId,
    });
    res.statusCode = 503;
    res.setHeader('Content-Type', PROBLEM_CONTENT_TYPE);
    res.setHeader('Retry-After', String(retryAfterSeconds));
    // The body is not read: close the connection rather than leave it unread on a keep-alive socket.
    res.setHeader('Connection', 'close');
    res.end(JSON.stringify(body));
  };
}
