// The chaos drill (not a test):  npm run drill:chaos -- [options]
//
// Against a RUNNING `npm run stack` (each app on its own port; STACK_PROXY_APP=<app> for the cut),
// it places orders at a steady rate as customers do (the load benchmark's client,
// @commerce/shop-client: its own customers and products, each POST retried with its
// Idempotency-Key) while it injects faults one after another, waiting between them until what it
// hit answers again and every order accepted so far has settled:
//   app-kill      SIGKILL of each app; the stack's supervisor starts it again (compose's restart policy)
//   broker-kill   kill -9 of the broker, down for --broker-down-seconds, then started again
//   pg-restart    PostgreSQL restarted in immediate mode (pg_ctlcluster … restart -m immediate)
//   pg-terminate  pg_terminate_backend of one app's connections
//   cut           one app cut off from PostgreSQL and Kafka for --cut-seconds through the stack's proxies
// Then it waits for every order to settle and checks, over HTTP and by reading the topics:
// every order CONFIRMED or CANCELLED; the stock equation per sku; CONFIRMED <=> CAPTURED and
// committed; CANCELLED => nothing captured or held; no two different capture, void, confirm,
// cancel, reserve or release events for one order; one email per (order, type). It prints each
// fault with its recovery times and a verdict. Exits 1 on any violation, 2 on bad usage.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SERVICE_NAMES, type ServiceName } from '@commerce/contracts';
import {
  adminPassword,
  Api,
  checkEmails,
  checkPayments,
  checkStock,
  collectEmails,
  countSold,
  Counter,
  createProducts,
  failure,
  listOrders,
  newCustomers,
  planOrders,
  type Product,
  random,
  readSettled,
  type Run,
  Session,
  sleep,
  waitForCatalog,
  waitReady,
} from '@commerce/shop-client';
import {
  appHealthy,
  appReady,
  brokerAnswers,
  databaseAnswers,
  killBroker,
  pgRestartCommand,
  shell,
  StackControl,
  type StackApps,
  startBroker,
  terminateConnections,
} from './chaos-faults.ts';
import { EventLedger } from './event-ledger.ts';
import { OrderStream, SettleWatcher } from './order-stream.ts';

const FAULTS = ['app-kill', 'broker-kill', 'pg-restart', 'pg-terminate', 'cut'] as const;
type FaultKind = (typeof FAULTS)[number];

const usage = `usage: npm run drill:chaos -- [options]
  --start-stack            build the apps, start npm run stack (payment behind the chaos proxies, --proxy-app
                           to choose) for this run only, and stop it at the end: the drill in one command
  --proxy-app APP          with --start-stack: the app the cut cuts off (default payment)
  --short                  the CI version: --rate 4 --phase-seconds 8 --apps order --cut-seconds 15
                           --broker-down-seconds 5 (each fault once); any option below still applies
  --rate N                 orders per second, all through the drill (default 8)
  --phase-seconds S        each fault's phase lasts at least S (and the warm-up before the first) (default 30)
  --faults LIST            which, in this order (default ${FAULTS.join(',')})
  --apps LIST              the apps app-kill kills, one after another (default all five)
  --terminate-app APP      whose connections pg-terminate ends (default order)
  --cut-seconds S          how long the cut lasts (default 30)
  --cut-mode MODE          refuse (connections refused and reset) or blackhole (nothing passes) (default refuse)
  --broker-down-seconds S  how long the broker stays down before it is started again (default 10)
  --recovery-timeout S     how long a fault may take to answer again, and orders to settle again (default 180)
  --settle-timeout S       after the last fault, how long every order may take to settle (default 300)
  --email-timeout S        how long the payments, stock and emails may take to follow (default 120)
  --attempts N             POST attempts per order, the first included (default 10)
  --seed N                 the order mix's seed (default random; printed)
env: KAFKA_BROKERS (or KAFKA_PORT), KAFKA_TOPIC_PREFIX, STACK_POSTGRES_URL, STACK_DATABASE, STACK_CONTROL_PORT,
     ADMIN_PASSWORD, DRILL_BROKER_START (default: tools/infra/infra up --kafka-only),
     DRILL_PG_RESTART (default: pg_ctlcluster <the cluster on the URL's port> restart -m immediate)`;

const { values: opts } = (() => {
  try {
    return parseArgs({
      args: process.argv.slice(2),
      options: {
        short: { type: 'boolean', default: false },
        'start-stack': { type: 'boolean', default: false },
        'proxy-app': { type: 'string', default: 'payment' },
        rate: { type: 'string' },
        'phase-seconds': { type: 'string' },
        faults: { type: 'string', default: FAULTS.join(',') },
        apps: { type: 'string' },
        'terminate-app': { type: 'string', default: 'order' },
        'cut-seconds': { type: 'string' },
        'cut-mode': { type: 'string', default: 'refuse' },
        'broker-down-seconds': { type: 'string' },
        'recovery-timeout': { type: 'string', default: '180' },
        'settle-timeout': { type: 'string', default: '300' },
        'email-timeout': { type: 'string', default: '120' },
        attempts: { type: 'string', default: '10' },
        seed: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
})();
if (opts.help) {
  console.log(usage);
  process.exit(0);
}

function bad(message: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}
function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) bad(`--${name} must be a positive number, not ${value}`);
  return n;
}
function apps(name: string, value: string): ServiceName[] {
  const list = value.split(',').filter(Boolean);
  for (const app of list) if (!(SERVICE_NAMES as readonly string[]).includes(app)) bad(`--${name}: no app ${app}`);
  return list as ServiceName[];
}

const short = opts.short!;
const rate = positive('rate', opts.rate, short ? 4 : 8);
const phaseMs = positive('phase-seconds', opts['phase-seconds'], short ? 8 : 30) * 1000;
const faults = opts.faults!.split(',').filter(Boolean) as FaultKind[];
for (const f of faults) if (!FAULTS.includes(f)) bad(`--faults: no fault ${f} (${FAULTS.join(', ')})`);
const killApps = apps('apps', opts.apps ?? (short ? 'order' : SERVICE_NAMES.join(',')));
const terminateApp = apps('terminate-app', opts['terminate-app']!)[0] ?? bad('--terminate-app: one app');
const proxyAppToStart = apps('proxy-app', opts['proxy-app']!)[0] ?? bad('--proxy-app: one app');
const cutMs = positive('cut-seconds', opts['cut-seconds'], short ? 15 : 30) * 1000;
const cutMode = opts['cut-mode']!;
if (cutMode !== 'refuse' && cutMode !== 'blackhole') bad('--cut-mode is refuse or blackhole');
const brokerDownMs = positive('broker-down-seconds', opts['broker-down-seconds'], short ? 5 : 10) * 1000;
const recoveryMs = positive('recovery-timeout', opts['recovery-timeout'], 180) * 1000;
const settleMs = positive('settle-timeout', opts['settle-timeout'], 300) * 1000;
const emailMs = positive('email-timeout', opts['email-timeout'], 120) * 1000;
const attempts = Math.floor(positive('attempts', opts.attempts, 10));
const seed = opts.seed !== undefined ? Number(opts.seed) : randomBytes(4).readUInt32BE();

const brokers = (process.env.KAFKA_BROKERS ?? `127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`).split(',');
const topicPrefix = process.env.KAFKA_TOPIC_PREFIX ?? '';
const postgresUrl = process.env.STACK_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const database = process.env.STACK_DATABASE ?? 'commerce';
const control = new StackControl(`http://127.0.0.1:${process.env.STACK_CONTROL_PORT ?? '3099'}`);
const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const say = (line: string) => console.log(`[chaos] ${line}`);
const api = new Api(undefined, 10_000);
const run: Run = { api, id: runId, rand: random(seed), say, skuPrefix: `CH-${runId}`, emailPrefix: `chaos-${runId}` };
const PER_CUSTOMER = 45; // a customer's emails must fit the notification list's 100
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const clock = (t: number) => new Date(t).toISOString().slice(11, 19);

// ---------------------------------------------------------------------------------------------
// The faults, as steps

interface Fault {
  kind: FaultKind;
  label: string;
  /** Does the fault and, where it needs one, its repair; the drill then waits for `answers`. */
  inject: () => Promise<void>;
  /** What was hit answers again. */
  answers: () => Promise<boolean>;
  /** Apps expected to be started again by the supervisor during this fault. */
  killed?: ServiceName;
  /** For broker-kill: login, reads and POST /api/orders must keep answering while it is down. */
  httpMustAnswer?: boolean;
}

interface FaultResult {
  fault: Fault;
  at: number;
  answersMs?: number;
  readyMs?: number;
  settledMs?: number;
  restartedMs?: number;
  postAttempts: Counter;
  probes: Counter;
  /** Requests that got no usable answer while the broker was down. */
  unanswered: string[];
  exitedBySelf: string[];
  problems: string[];
  notes: string[];
}

function plannedFaults(proxyApp: ServiceName | undefined, pgRestart: string): Fault[] {
  const plan: Fault[] = [];
  for (const kind of faults) {
    if (kind === 'app-kill')
      for (const app of killApps)
        plan.push({
          kind,
          label: `app-kill ${app}`,
          killed: app,
          inject: async () => {
            const { apps: before } = await control.apps();
            process.kill(before[app].pid, 'SIGKILL');
          },
          answers: () => appReady(app),
        });
    if (kind === 'broker-kill')
      plan.push({
        kind,
        label: 'broker-kill',
        httpMustAnswer: true,
        inject: async () => {
          const pid = await killBroker(brokers);
          say(`  broker (pid ${pid}) killed; down for ${seconds(brokerDownMs)}, then started again`);
          await sleep(brokerDownMs);
          await startBroker();
        },
        answers: () => brokerAnswers(brokers),
      });
    if (kind === 'pg-restart')
      plan.push({
        kind,
        label: 'pg-restart',
        inject: () => shell(pgRestart),
        answers: () => databaseAnswers(postgresUrl),
      });
    if (kind === 'pg-terminate')
      plan.push({
        kind,
        label: `pg-terminate ${terminateApp}`,
        inject: async () => {
          const n = await terminateConnections(postgresUrl, database, terminateApp);
          say(`  terminated ${n} connections of ${terminateApp}`);
        },
        answers: () => appReady(terminateApp),
      });
    if (kind === 'cut')
      plan.push({
        kind,
        label: `cut ${proxyApp} (${cutMode})`,
        inject: async () => {
          await control.cut(cutMode);
          try {
            await sleep(cutMs);
          } finally {
            await control.restore();
          }
        },
        answers: () => appReady(proxyApp!),
      });
  }
  return plan;
}

/** Polls `probe` every 250 ms until it holds; the milliseconds from `since`, or undefined past `deadline`. */
async function timeUntil(probe: () => Promise<boolean>, since: number, deadline: number): Promise<number | undefined> {
  for (;;) {
    if (await probe()) return Date.now() - since;
    if (Date.now() > deadline) return undefined;
    await sleep(250);
  }
}

/** Every app's every component is up (GET <prefix>/health): orders flow again end to end. */
async function allHealthy(): Promise<boolean> {
  return (await Promise.all(SERVICE_NAMES.map(appHealthy))).every(Boolean);
}

/**
 * Whether a reply is one a client cannot act on: no answer, or a 5xx that does not say when to try
 * again. A 503 with Retry-After (overload, the database briefly out of reach) is an answer: the
 * client retries, as the drill's own orders do.
 */
const unanswered = (status: number | 'error', retryAfter: boolean) =>
  status === 'error' || (status >= 500 && !(status === 503 && retryAfter));

/** While `active()`, a login and a read every second as the admin, each sent once: what they answered. */
async function probeHttp(admin: Session, active: () => boolean, into: Counter, failed: string[]): Promise<void> {
  while (active()) {
    const [login, read] = await Promise.all([
      api.call('auth', 'POST', '/login', { body: { email: admin.email, password: adminPassword() } }),
      api.call('order', 'GET', '?limit=1', { token: admin.token }),
    ]);
    for (const [what, reply] of [
      ['login', login],
      ['read', read],
    ] as const) {
      into.add(`${what} ${reply.status}`);
      if (
        reply.status !== 200 &&
        (unanswered(reply.status, reply.retryAfterMs !== undefined) || (reply.status as number) < 500)
      )
        failed.push(`${what} ${reply.status}`);
    }
    await sleep(1_000);
  }
}

async function runFault(
  fault: Fault,
  admin: Session,
  stream: OrderStream,
  watcher: SettleWatcher,
): Promise<FaultResult> {
  const before: StackApps = await control.apps();
  const at = Date.now();
  const result: FaultResult = {
    fault,
    at,
    postAttempts: new Counter(),
    probes: new Counter(),
    unanswered: [],
    exitedBySelf: [],
    problems: [],
    notes: [],
  };
  say(`── ${fault.label} at ${clock(at)} ──`);
  let probing = fault.httpMustAnswer === true;
  const probes = probing ? probeHttp(admin, () => probing, result.probes, result.unanswered) : Promise.resolve();
  const deadline = at + recoveryMs;
  try {
    await fault.inject();
    result.answersMs = await timeUntil(fault.answers, at, deadline);
  } catch (error) {
    result.problems.push(`could not inject or repair: ${(error as Error).message}`);
  }
  const answered = at + (result.answersMs ?? recoveryMs);
  probing = false;
  await probes;
  for (const a of stream.attempts.filter((x) => x.at >= at && x.at <= answered)) {
    result.postAttempts.add(String(a.status));
    if (unanswered(a.status, a.retryAfter)) result.unanswered.push(`POST ${a.problem}`);
  }
  if (result.answersMs === undefined) result.problems.push(`did not answer again within ${seconds(recoveryMs)}`);
  else {
    result.readyMs = await timeUntil(allHealthy, at, deadline);
    if (result.readyMs === undefined)
      result.problems.push(`not every app healthy (GET <prefix>/health) within ${seconds(recoveryMs)}`);
    // Every order accepted before it answered again has settled.
    const settled = await timeUntilValue(() => watcher.settledBefore(answered), deadline);
    if (settled === undefined)
      result.problems.push(
        `orders accepted before it answered still PENDING ${seconds(recoveryMs)} after it: ${watcher.pending().slice(0, 5).join(' ')}`,
      );
    else result.settledMs = settled - at;
  }
  // Which apps were started again meanwhile, and which of them the drill did not kill.
  const after = await control.apps();
  for (const app of SERVICE_NAMES) {
    const restarts = after.apps[app].restarts - before.apps[app].restarts;
    if (app === fault.killed) {
      result.restartedMs = after.apps[app].startedAt - at;
      if (restarts !== 1) result.notes.push(`${app} was started ${restarts} times`);
    } else if (restarts > 0) result.exitedBySelf.push(`${app} exited by itself${restarts > 1 ? ` ×${restarts}` : ''}`);
  }
  if (result.exitedBySelf.length) result.problems.push(...result.exitedBySelf);
  if (fault.httpMustAnswer) {
    if (result.unanswered.length)
      result.problems.push(
        `HTTP did not keep answering while the broker was down: ${result.unanswered.slice(0, 5).join('; ')} (probes ${result.probes.format()}, POST attempts ${result.postAttempts.format()})`,
      );
    const retried = [...result.postAttempts.keys()].filter((k) => k !== '202');
    if (retried.length)
      result.notes.push(
        `POST attempts answered 503 with Retry-After while the broker was down, then retried: ${retried.join(' ')}`,
      );
  }
  return result;
}

async function timeUntilValue(probe: () => number | undefined, deadline: number): Promise<number | undefined> {
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) return undefined;
    await sleep(500);
  }
}

function printFaults(results: FaultResult[]): void {
  const cell = (ms: number | undefined) => (ms === undefined ? '–' : seconds(ms));
  say('');
  say('faults (times from the injection; a markdown table for docs/operations.md):');
  console.log('');
  console.log(
    '| fault | at | answers | restarted | all healthy (after answering) | orders settled | POST attempts meanwhile | verdict |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const after = r.readyMs !== undefined && r.answersMs !== undefined ? ` (+${seconds(r.readyMs - r.answersMs)})` : '';
    console.log(
      `| ${r.fault.label} | ${clock(r.at)} | ${cell(r.answersMs)} | ${cell(r.restartedMs)} | ${cell(r.readyMs)}${after} | ${cell(r.settledMs)} | ${r.postAttempts.format()} | ${r.problems.length ? 'FAIL' : 'PASS'} |`,
    );
  }
  console.log('');
  say('answers: what was hit answers again (the app /health/ready, the broker a DescribeCluster, PostgreSQL');
  say("a SELECT 1); restarted: the supervisor started the killed app again; all healthy: every app's /health");
  say('is 200 (Kafka, relay, consumer group); orders settled: every order accepted before it answered has');
  say('settled. A cut and a broker kill include the time they are held down.');
  for (const r of results) {
    for (const p of r.problems) say(`  ${r.fault.label}: FAIL ${p}`);
    for (const n of r.notes) say(`  ${r.fault.label}: note ${n}`);
    if (r.probes.size) say(`  ${r.fault.label}: login and read while down: ${r.probes.format()}`);
  }
}

// ---------------------------------------------------------------------------------------------
// --start-stack: npm run stack for this run only

const root = join(import.meta.dirname, '../..');
let stack: ChildProcess | undefined;

/** Builds the apps and starts the stack runner, its output into a log file; resolves once it is ready. */
async function startStack(): Promise<void> {
  say('building the apps (nx run-many -t build) …');
  execFileSync('npx', ['nx', 'run-many', '-t', 'build', '--projects=tag:type:app', '--parallel=2'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const logFile = join(root, 'dist/tools/chaos-stack.log');
  say(`starting npm run stack with STACK_PROXY_APP=${proxyAppToStart}; its output: ${logFile}`);
  const log = createWriteStream(logFile);
  stack = spawn(process.execPath, [join(root, 'tools/build/run-tool.ts'), join(root, 'tools/stack/stack.ts')], {
    cwd: root,
    env: { ...process.env, STACK_PROXY_APP: proxyAppToStart, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  stack.stderr!.pipe(log);
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the stack was not ready within 180 s (${logFile})`)), 180_000);
    stack!.stdout!.on('data', (chunk: Buffer) => {
      log.write(chunk);
      output += chunk.toString();
      if (output.includes('Ctrl-C stops everything')) {
        clearTimeout(timer);
        output = '';
        resolve();
      }
    });
    stack!.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the stack exited (${code}); see ${logFile}`));
    });
  });
}

async function stopStack(): Promise<void> {
  const child = stack;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  say('stopping the stack …');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(60_000)]);
}

/** Stops a stack the drill started, then exits. */
async function finish(code: number): Promise<never> {
  await stopStack();
  process.exit(code);
}

// ---------------------------------------------------------------------------------------------
// Main

// Interrupted during a cut, the drill still gives the app its connections back.
process.once('SIGINT', () => {
  say('interrupted: restoring the proxies');
  void control
    .restore()
    .catch(() => undefined)
    .finally(() => void finish(130));
});

const watchdog = setTimeout(() => {
  console.error('[chaos] gave up: the drill took over 2 hours');
  void finish(1);
}, 2 * 3600_000);
watchdog.unref();

try {
  const started = Date.now();
  say(
    `run ${runId}, seed ${seed}, ${rate} orders/s, phases of at least ${seconds(phaseMs)}, faults: ${faults.join(', ')}`,
  );
  if (opts['start-stack']) await startStack();
  let stackApps: StackApps;
  try {
    stackApps = await control.apps();
  } catch (error) {
    throw new Error(
      `the stack's control endpoint ${control.url} does not answer (${(error as Error).message}): is npm run stack running?`,
    );
  }
  const proxyApp = stackApps.proxy?.app;
  if (faults.includes('cut') && !proxyApp)
    bad('the cut needs a proxied app: start the stack with STACK_PROXY_APP=<app> (e.g. payment), or leave out cut');
  const pgRestart = faults.includes('pg-restart') ? await pgRestartCommand(postgresUrl) : '';
  const plan = plannedFaults(proxyApp, pgRestart);
  say(`broker ${brokers.join(',')}, PostgreSQL ${new URL(postgresUrl).host} (database ${database})`);
  if (pgRestart) say(`PostgreSQL restarts with: ${pgRestart}`);
  await waitReady(api);

  // Enough customers and stock for the whole drill, estimated generously: each fault's phase, or
  // what the fault itself lasts plus a recovery, whichever is longer.
  const faultMs = (f: Fault) =>
    Math.max(
      phaseMs,
      {
        'app-kill': 20_000,
        'broker-kill': brokerDownMs + 40_000,
        'pg-restart': 25_000,
        'pg-terminate': 15_000,
        cut: cutMs + 25_000,
      }[f.kind],
    );
  const expected = Math.ceil((rate * (phaseMs + plan.reduce((sum, f) => sum + faultMs(f), 0))) / 1000);
  // Twice that, and a slow recovery's worth more, so that orders keep coming through a slow fault.
  const planned = Math.ceil(expected * 2 + (rate * recoveryMs) / 1000);
  const admin = new Session(api, process.env.ADMIN_EMAIL ?? 'admin@commerce.local', adminPassword());
  await admin.login();
  const products: Product[] = await createProducts(run, admin, expected);
  await waitForCatalog(run, admin, products);
  const registering = Date.now();
  const { customers, problems: welcomeProblems } = await newCustomers(run, Math.ceil(planned / PER_CUSTOMER), 'c');
  say(
    `${customers.length} customers registered and welcomed in ${seconds(Date.now() - registering)}; up to ${planned} orders planned (about ${expected} expected)`,
  );
  const failures: string[] = [...welcomeProblems];

  const stream = new OrderStream(planOrders(run.rand, planned, customers, products), rate, attempts);
  const watcher = new SettleWatcher(admin, stream, started);
  const drillStart = Date.now();
  stream.start();
  watcher.start();
  say(`warm-up: ${seconds(phaseMs)} of orders before the first fault`);
  await sleep(phaseMs);

  const results: FaultResult[] = [];
  for (const fault of plan) {
    const phaseStart = Date.now();
    const result = await runFault(fault, admin, stream, watcher);
    results.push(result);
    say(
      `  ${result.problems.length ? 'FAIL' : 'PASS'}: answers after ${result.answersMs === undefined ? '–' : seconds(result.answersMs)}, orders settled again after ${result.settledMs === undefined ? '–' : seconds(result.settledMs)}; accepted so far ${stream.accepted.length}, pending ${watcher.pending().length}`,
    );
    await sleep(Math.max(0, phaseStart + phaseMs - Date.now()));
  }
  if (stream.ranOutAt)
    say(`note: the planned orders ran out at ${clock(stream.ranOutAt)}; the last phases had no new orders`);

  // The end: no new orders; every order whose attempts all failed is sent once more with its key.
  await stream.stop();
  await waitReady(api, recoveryMs);
  const unanswered = await stream.retryUnanswered();
  const accepted = stream.accepted;
  say(
    `placing stopped: ${stream.orders.length} orders sent, ${accepted.length} accepted${unanswered ? ` (${unanswered} sent once more after every attempt had failed)` : ''}`,
  );
  const settleDeadline = Date.now() + settleMs;
  let lastReport = Date.now();
  while (watcher.pending().length > 0 && Date.now() < settleDeadline) {
    if (Date.now() - lastReport > 10_000) {
      say(`  waiting for ${watcher.pending().length} PENDING orders to settle`);
      lastReport = Date.now();
    }
    await sleep(1_000);
  }
  await watcher.stop();
  await watcher.poll().catch(() => undefined);
  const pending = watcher.pending();
  failure(failures, `orders still PENDING ${seconds(settleMs)} after the last fault`, pending);

  // Over HTTP: statuses and histories, payments, stock, emails.
  const ids = new Set(accepted.map((o) => o.orderId!));
  const confirmed = await listOrders(admin, 'CONFIRMED', drillStart - 60_000, ids);
  const cancelled = await listOrders(admin, 'CANCELLED', drillStart - 60_000, ids);
  const { settled, outcomes } = await readSettled(admin, accepted, { confirmed, cancelled }, pending, failures);
  say(`outcomes: ${outcomes.format()}`);
  countSold(settled, products);
  const checkDeadline = Date.now() + emailMs;
  await checkPayments(admin, settled, checkDeadline, failures);
  await checkStock(admin, products, pending.length === 0, checkDeadline, failures);
  const emails = await collectEmails(settled, emailMs);
  checkEmails(settled, emails, emailMs, failures);

  // From the topics: the same orders as the events tell them.
  const statuses = new Map(settled.map((s) => [s.placed.orderId!, s.status]));
  const ledger = new EventLedger(brokers, topicPrefix, ids);
  await ledger.start();
  const ledgerDeadline = Date.now() + emailMs;
  while (!(await ledger.caughtUp()) && Date.now() < ledgerDeadline) await sleep(1_000);
  while (ledger.check(statuses).missing.length > 0 && Date.now() < ledgerDeadline) await sleep(2_000);
  ledger.report(statuses, failures);
  await ledger.stop();
  say(`topics read: events of ${ledger.events.size} of the ${ids.size} orders`);

  // What the stack's supervisor did over the whole drill.
  const finalApps = await control.apps();
  say(
    `restarts by the supervisor over the drill: ${SERVICE_NAMES.map((a) => `${a} ${finalApps.apps[a].restarts - stackApps.apps[a].restarts}`).join(', ')}`,
  );
  const timeouts = settled.filter((s) => s.cancelReason === 'TIMEOUT').length;
  if (timeouts) say(`note: ${timeouts} orders were cancelled with TIMEOUT (they stayed PENDING past the deadline)`);
  const attemptsSeen = new Counter();
  for (const a of stream.attempts) attemptsSeen.add(String(a.status));
  const problems = new Counter();
  for (const a of stream.attempts) if (a.problem) problems.add(a.problem);
  say(`POST attempts over the drill: ${attemptsSeen.format()}`);
  if (problems.size) say(`what the failed attempts said: ${problems.format().slice(0, 600)}`);

  printFaults(results);
  const faultFailures = results.filter((r) => r.problems.length > 0);
  say('');
  say(
    `drill took ${seconds(Date.now() - started)}; ${accepted.length} orders; ${faults.length} kinds of fault, ${results.length} injected`,
  );
  if (failures.length === 0) say('invariants (HTTP and topics): all hold');
  else {
    say(`INVARIANTS FAILED: ${failures.length}`);
    for (const f of failures) say(`  - ${f}`);
  }
  if (failures.length || faultFailures.length) {
    say(`VERDICT: FAIL (${faultFailures.length} fault(s) failed, ${failures.length} invariant check(s) failed)`);
    await finish(1);
  }
  say('VERDICT: PASS');
  await finish(0);
} catch (error) {
  console.error(`[chaos] ${(error as Error).stack ?? error}`);
  await finish(1);
}
