// Fault drill against a running `npm run stack`: stops the local Kafka broker, measures how long
// each app's /health/ready takes to turn 503, starts the broker again and measures the way back
// to 200. Prints the figures; exits non-zero if an app does not follow within the deadline.
//   npm run drill:kafka-outage
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { SERVICE_NAMES, SERVICES, type ServiceName } from '@commerce/contracts';

const infra = join(import.meta.dirname, '../../tools/infra/infra');
// A bound on liveness, not a timing target: consumer groups rejoin only after the old members'
// session expires, and a broker holding many partitions (a CI run's test topics) loads slowly.
const deadlineMs = Number(process.env.DRILL_DEADLINE_MS ?? 120_000);
const readyUrl = (s: ServiceName) => `http://127.0.0.1:${SERVICES[s].port}/${SERVICES[s].prefix}/health/ready`;
const status = (s: ServiceName) =>
  fetch(readyUrl(s)).then(
    (r) => r.status,
    () => 0,
  );

/** Polls every app until each answers `want`; returns the milliseconds each took from `since`. */
async function until(want: number, since: number): Promise<Record<ServiceName, number>> {
  const took = {} as Record<ServiceName, number>;
  await Promise.all(
    SERVICE_NAMES.map(async (service) => {
      while ((await status(service)) !== want) {
        if (Date.now() - since > deadlineMs)
          throw new Error(`${service} did not answer ${want} within ${deadlineMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
      took[service] = Date.now() - since;
    }),
  );
  return took;
}

const before = await until(200, Date.now());
console.log(`[drill] all five apps ready (${Object.keys(before).length}/5)`);
// Timed from the moment the broker is gone (or answers again), not from the command's start.
execFileSync(infra, ['down', '--kafka-only'], { stdio: 'inherit' });
const down = await until(503, Date.now());
// A broker holding many partitions takes its time to load them; its start is not what is measured.
execFileSync(infra, ['up'], {
  stdio: 'inherit',
  env: { ...process.env, KAFKA_START_TIMEOUT: process.env.KAFKA_START_TIMEOUT ?? '300' },
});
const back = await until(200, Date.now());
console.log('[drill] app           200→503 once Kafka is stopped   503→200 once Kafka answers again');
for (const service of SERVICE_NAMES) {
  console.log(
    `[drill] ${service.padEnd(13)} ${String(down[service]).padStart(8)} ms ${String(back[service]).padStart(30)} ms`,
  );
}
