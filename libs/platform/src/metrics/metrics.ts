import { Injectable } from '@nestjs/common';
import {
  collectDefaultMetrics,
  Counter,
  type CounterConfiguration,
  Gauge,
  type GaugeConfiguration,
  Histogram,
  type HistogramConfiguration,
  Registry,
} from 'prom-client';

/** Buckets in seconds for work measured in milliseconds to seconds: handlers, requests, sends. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const ignore = (): void => undefined;

/**
 * Every metric while metrics are off: its updates do nothing, and its label children and timers are
 * itself. Registered nowhere, so no `collect` of a gauge ever runs either.
 */
const UNRECORDED_METRIC = {
  inc: ignore,
  dec: ignore,
  set: ignore,
  setToCurrentTime: ignore,
  observe: ignore,
  reset: ignore,
  remove: ignore,
  zero: ignore,
  startTimer: () => () => 0,
  labels: (): unknown => UNRECORDED_METRIC,
};

/**
 * The app's Prometheus registry, served at `<prefix>/metrics`. One per app rather than prom-client's
 * global one: tests run several apps in one process, and each must show only its own numbers.
 * Every metric is registered here once, at start-up; an event only looks up a label child.
 * Off (METRICS_ENABLED=false), the registry stays empty and every metric is UNRECORDED_METRIC, so
 * the code that counts runs as it is and costs a call that does nothing.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  constructor(readonly enabled = true) {
    // The default metrics sample the event loop and watch GC all the time: only when someone can read them.
    if (enabled) collectDefaultMetrics({ register: this.registry });
  }

  counter<L extends string>(config: Omit<CounterConfiguration<L>, 'registers'>): Counter<L> {
    if (!this.enabled) return UNRECORDED_METRIC as unknown as Counter<L>;
    return new Counter({ ...config, registers: [this.registry] });
  }

  gauge<L extends string>(config: Omit<GaugeConfiguration<L>, 'registers'>): Gauge<L> {
    if (!this.enabled) return UNRECORDED_METRIC as unknown as Gauge<L>;
    return new Gauge({ ...config, registers: [this.registry] });
  }

  histogram<L extends string>(config: Omit<HistogramConfiguration<L>, 'registers'>): Histogram<L> {
    if (!this.enabled) return UNRECORDED_METRIC as unknown as Histogram<L>;
    return new Histogram({ buckets: LATENCY_BUCKETS, ...config, registers: [this.registry] });
  }

  /** The text exposition, as Prometheus scrapes it. */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/**
 * A value read at scrape time that several gauges share (one query for all of them): concurrent
 * scrapes wait for the same read, and a read newer than `maxAgeMs` is reused, so scraping often
 * costs the source at most one read per `maxAgeMs`.
 */
export class ScrapeSample<T> {
  private last?: { at: number; value: T };
  private reading?: Promise<T>;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<T> {
    if (this.last && this.now() - this.last.at < this.maxAgeMs) return Promise.resolve(this.last.value);
    this.reading ??= this.read()
      .then((value) => {
        this.last = { at: this.now(), value };
        return value;
      })
      .finally(() => {
        this.reading = undefined;
      });
    return this.reading;
  }
}
