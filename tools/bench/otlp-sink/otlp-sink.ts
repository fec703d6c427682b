// A local OTLP/HTTP trace receiver that only counts (not a collector):  npm run otlp:sink -- [--port 4318] [--host 127.0.0.1]
//
// For measuring what tracing costs without Docker: start it, then the stack with its endpoint,
//   OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 npm run stack
// and run npm run bench:load against that stack and against one without the variable. It takes
// POST /v1/traces as protobuf (what the apps send) or JSON, answers 200 as a collector does, and
// keeps nothing: every 10 s it prints the requests, bytes and spans of those 10 s, and their totals
// on SIGINT or SIGTERM. Its own CPU is small (span counting reads only protobuf lengths), but it
// runs on the machine being measured: the benchmark's CPU report does not include it.
import { parseArgs } from 'node:util';
import { type OtlpSinkCounts, startOtlpSink } from '@commerce/testing';

const REPORT_EVERY_MS = 10_000;

let options: { port: string; host: string };
try {
  ({ values: options } = parseArgs({
    args: process.argv.slice(2),
    options: { port: { type: 'string', default: '4318' }, host: { type: 'string', default: '127.0.0.1' } },
    strict: true,
  }));
} catch (error) {
  console.error(
    `[otlp-sink] ${(error as Error).message}\nusage: npm run otlp:sink -- [--port 4318] [--host 127.0.0.1]`,
  );
  process.exit(2);
}
const port = Number(options.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`[otlp-sink] --port must be a port number, not ${options.port}`);
  process.exit(2);
}

const describe = (c: OtlpSinkCounts) =>
  `${c.requests} requests, ${(c.bytes / 1024).toFixed(1)} KiB, ${c.spans} spans${c.refused ? `, ${c.refused} refused` : ''}`;

const sink = await startOtlpSink({ port, host: options.host });
const started = Date.now();
console.log(`[otlp-sink] taking OTLP/HTTP traces at ${sink.url}/v1/traces: OTEL_EXPORTER_OTLP_ENDPOINT=${sink.url}`);
let last = sink.counts();
const report = setInterval(() => {
  const now = sink.counts();
  const since = {
    requests: now.requests - last.requests,
    bytes: now.bytes - last.bytes,
    spans: now.spans - last.spans,
    refused: now.refused - last.refused,
  };
  last = now;
  console.log(
    `[otlp-sink] last ${REPORT_EVERY_MS / 1000} s: ${describe(since)} (${(since.spans / (REPORT_EVERY_MS / 1000)).toFixed(1)} spans/s)`,
  );
}, REPORT_EVERY_MS);

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    clearInterval(report);
    const seconds = (Date.now() - started) / 1000;
    const total = sink.counts();
    console.log(
      `[otlp-sink] total over ${seconds.toFixed(0)} s: ${describe(total)} (${(total.spans / seconds).toFixed(1)} spans/s)`,
    );
    void sink.close().then(() => process.exit(0));
  });
