// Fault drill against a running `npm run stack`: stops the local Kafka broker and measures how long
// each app's GET <prefix>/health (every component) takes to turn 503 naming kafka, starts the broker
// again and measures the way back to 200, while /health/ready (what the gateway routes by: the
// database) must answer 200 throughout. Prints the figures; exits non-zero if an app does not
// follow within the deadline or was ever not ready.
//   npm run drill:kafka-outage
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { SERVICE_NAMES, SERVICES, type ServiceName } from '@commerce/contracts';

const infra = join(import.meta.dirname, '../../tools/infra/infra');
// A bound on liveness, not a timing target: a broker holding many partitions (a CI run's test
// topics) loads slowly, and the consumer groups rejoin after it does.
const deadlineMs = Number(process.env.DRILL_DEADLINE_MS ?? 120_000);
const base = (s: ServiceName) => `http://127.0.0.1:${SERVICES[s].port}/${SERVICES[s].prefix}`;
const ask = (s: ServiceName, path: string, init?: RequestInit) =>
  fetch(`${base(s)}${path}`, init).then(
    async (r) => ({ status: r.status, body: (await r.json()) as { error?: Record<string, unknown> } }),
    () => ({ status: 0, body: {} }),
  );
// No answer at all (0) is asked again once on a new connection: a kept-alive socket the server had
// closed while this process was blocked in `infra down` fails on the client's side, not the app's.
const health = async (s: ServiceName, path: '/health' | '/health/ready') => {
  const first = await ask(s, path);
  return first.status === 0 ? ask(s, path, { headers: { connection: 'close' } }) : first;
};
/** /health/ready answers that were not 200, per app: each one would have taken the app out of the gateway. */
const notReady = Object.fromEntries(SERVICE_NAMES.map((s) => [s, [] as number[]])) as Record<ServiceName, number[]>;

/** Polls every app's /health until `done` holds; returns the milliseconds each took from `since`. */
async function until(
  what: string,
  done: (report: { status: number; body: { error?: Record<string, unknown> } }) => boolean,
  since: number,
): Promise<Record<ServiceName, number>> {
  const took = {} as Record<ServiceName, number>;
  await Promise.all(
    SERVICE_NAMES.map(async (service) => {
      for (;;) {
        const [report, ready] = await Promise.all([health(service, '/health'), health(service, '/health/ready')]);
        if (ready.status !== 200) notReady[service].push(ready.status);
        if (done(report)) break;
        if (Date.now() - since > deadlineMs) throw new Error(`${service}: /health not ${what} within ${deadlineMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
      took[service] = Date.now() - since;
    }),
  );
  return took;
}

await until('200', (r) => r.status === 200, Date.now());
console.log('[drill] all five apps up (/health 200)');
// Timed from the moment the broker is gone (or answers again), not from the command's start.
execFileSync(infra, ['down', '--kafka-only'], { stdio: 'inherit' });
const down = await until('503 naming kafka', (r) => r.status === 503 && r.body.error?.kafka !== undefined, Date.now());
// A broker holding many partitions takes its time to load them; its start is not what is measured.
execFileSync(infra, ['up'], {
  stdio: 'inherit',
  env: { ...process.env, KAFKA_START_TIMEOUT: process.env.KAFKA_START_TIMEOUT ?? '300' },
});
const back = await until('200', (r) => r.status === 200, Date.now());
console.log(
  '[drill] app           /health 200→503 once Kafka is stopped   503→200 once Kafka answers   /health/ready not 200',
);
for (const service of SERVICE_NAMES) {
  console.log(
    `[drill] ${service.padEnd(13)} ${String(down[service]).padStart(16)} ms ${String(back[service]).padStart(27)} ms ${String(notReady[service].length).padStart(22)}`,
  );
}
const unready = SERVICE_NAMES.filter((s) => notReady[s].length > 0);
if (unready.length) {
  console.error(
    `[drill] /health/ready was not 200 during the outage for ${unready.map((s) => `${s} (${notReady[s].join(', ')})`).join('; ')}: the gateway would have dropped it`,
  );
  process.exit(1);
}
