import { type Metrics, ScrapeSample } from '@commerce/platform';
import type { OutboxRelay } from './relay/outbox-relay.ts';

/** Most often the lag query runs, however often the app is scraped. */
const LAG_SAMPLE_MS = 1_000;

/**
 * The outbox as Prometheus sees it, all read at scrape time: the table's backlog (one query per
 * scrape, shared by both gauges) and the relay's own counts, so publishing costs nothing extra.
 */
export function registerOutboxMetrics(
  metrics: Metrics,
  relay: OutboxRelay,
  onReadFailure: (error: unknown) => void,
): void {
  const lag = new ScrapeSample(() => relay.lag(), LAG_SAMPLE_MS);
  // A failed read keeps the last values: the database being away is the health check's news.
  const sample = () => lag.get().catch((error: unknown) => (onReadFailure(error), undefined));
  metrics.gauge({
    name: 'outbox_unpublished_events',
    help: 'Events written to the outbox table and not yet published to Kafka.',
    async collect() {
      const now = await sample();
      if (now) this.set(now.unpublished);
    },
  });
  metrics.gauge({
    name: 'outbox_oldest_unpublished_age_seconds',
    help: 'Age of the oldest unpublished event in the outbox table (0 when none waits).',
    async collect() {
      const now = await sample();
      if (now) this.set(now.oldestAgeMs / 1000);
    },
  });
  // The relay counts; each scrape adds what it counted since the last one.
  let published = 0;
  metrics.counter({
    name: 'outbox_published_events_total',
    help: 'Events this process published to Kafka and marked published.',
    collect() {
      this.inc(relay.publishedCount - published);
      published = relay.publishedCount;
    },
  });
  const failed = { rows: 0, batches: 0 };
  metrics.counter({
    name: 'outbox_publish_failures_total',
    help: 'Publishing failures: `events` whose send failed (they back off and are retried), `batches` that failed as a whole (database or Kafka away).',
    labelNames: ['kind'] as const,
    collect() {
      const now = relay.failureCounts;
      this.inc({ kind: 'events' }, now.rows - failed.rows);
      this.inc({ kind: 'batches' }, now.batches - failed.batches);
      failed.rows = now.rows;
      failed.batches = now.batches;
    },
  });
}
