// Load benchmark of the whole stack (not a test):  npm run bench:load -- [options]
//
// Against a RUNNING stack (npm run stack: each app on its own port; or docker compose with
// --base http://localhost:8080), it creates its own customers and, as the admin, 20 products of its
// own (a few with tight stock, so some orders end OUT_OF_STOCK), then places orders OPEN-LOOP at a
// fixed rate: each POST /api/orders is sent at its due time whether or not earlier ones answered,
// and its latency counts from that due time (no coordinated omission). A failed POST (no answer,
// 5xx, 429) is sent again with the same Idempotency-Key, after Retry-After when there is one.
// Then it waits for every accepted order to settle, checks the contract's invariants over HTTP
// (stock equation, CONFIRMED <=> CAPTURED, one email per order and type) and prints throughput,
// latencies from the orders' own history, email lag, and each app's CPU and RSS from /proc.
// --steps runs several rates and reports the knee. pgbench calibrates the machine once.
// Exits 1 if an invariant fails (or an accepted order did not settle in time), 2 on bad usage.
import { randomBytes } from 'node:crypto';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { SERVICE_NAMES, SERVICES } from '@commerce/contracts';
import {
  adminPassword,
  Api,
  assertLocal,
  checkEmails,
  checkPayments,
  checkStock,
  collectEmails,
  countSold,
  Counter,
  createProducts,
  failure,
  finalEmail,
  listOrders,
  max,
  mb,
  ms,
  newCustomers,
  percentile,
  placeOrder,
  resolveUnanswered,
  type Planned,
  planOrders,
  PLENTY,
  PRODUCTS,
  type Product,
  random,
  readSettled,
  replyProblem,
  restockTight,
  type Run,
  Session,
  sleep,
  TIGHT,
  tightStock,
  waitForCatalog,
  waitReady,
} from '@commerce/shop-client';
import { type Calibration, pgbench } from './calibrate.ts';
import {
  findProcesses,
  type GroupUsage,
  listensOn,
  machineTicks,
  type ProcessGroup,
  ProcSampler,
  rssKb,
} from './procstats.ts';

const usage = `usage: npm run bench:load -- [--rate N --seconds S | --steps 10,25,50] [options]
  --base URL            the compose gateway (http://localhost:8080); default: each app on 127.0.0.1:300x
  --rate N              orders per second (default 10)
  --seconds S           length of the timed phase of each run (default 30)
  --steps A,B,C         run each rate in turn and report the knee
  --p99-bound MS        placed->settled p99 a step must stay under to count for the knee (default 1000)
  --no-pgbench          skip the pgbench calibration
  --postgres-url URL    PostgreSQL admin URL for pgbench (default STACK_POSTGRES_URL or postgresql://postgres@127.0.0.1:5432/postgres)
  --database NAME       count only the stack's database connections to NAME (default STACK_DATABASE, else any)
  --per-customer N      orders per customer at most (default 45: a customer's emails must fit the notification list's 100)
  --attempts N          POST attempts per order, the first included (default 5)
  --settle-timeout S    how long to wait for every accepted order to settle after the timed phase (default 180)
  --email-timeout S     how long to wait for the emails and the other apps after settling (default 120)
  --seed N              the order mix's seed (default random; printed)
  --label TEXT          the first column of the markdown row (say which code the stack runs)`;

const { values: opts } = (() => {
  try {
    return parseArgs({
      args: process.argv.slice(2),
      options: {
        base: { type: 'string' },
        rate: { type: 'string', default: '10' },
        seconds: { type: 'string', default: '30' },
        steps: { type: 'string' },
        'p99-bound': { type: 'string', default: '1000' },
        'no-pgbench': { type: 'boolean', default: false },
        'postgres-url': { type: 'string' },
        database: { type: 'string' },
        'per-customer': { type: 'string', default: '45' },
        attempts: { type: 'string', default: '5' },
        'settle-timeout': { type: 'string', default: '180' },
        'email-timeout': { type: 'string', default: '120' },
        seed: { type: 'string' },
        label: { type: 'string' },
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

function positive(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`--${name} must be a positive number, not ${value}\n${usage}`);
    process.exit(2);
  }
  return n;
}

const gateway = opts.base?.replace(/\/$/, '');
const seconds = positive('seconds', opts.seconds);
const rates = (opts.steps ?? opts.rate!).split(',').map((r) => positive(opts.steps ? 'steps' : 'rate', r));
const stepping = opts.steps !== undefined;
const p99Bound = positive('p99-bound', opts['p99-bound']);
const perCustomer = Math.floor(positive('per-customer', opts['per-customer']));
const attempts = Math.floor(positive('attempts', opts.attempts));
const settleTimeoutMs = positive('settle-timeout', opts['settle-timeout']) * 1000;
const emailTimeoutMs = positive('email-timeout', opts['email-timeout']) * 1000;
const postgresUrl =
  opts['postgres-url'] ?? process.env.STACK_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const database = opts.database ?? process.env.STACK_DATABASE;
const seed = opts.seed !== undefined ? Number(opts.seed) : randomBytes(4).readUInt32BE();
const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const say = (line: string) => console.log(`[load] ${line}`);

try {
  if (gateway) assertLocal(gateway, '--base');
  assertLocal(postgresUrl, 'the PostgreSQL URL');
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
if (2 * perCustomer + 1 > 100)
  say(`warning: --per-customer ${perCustomer} lets a customer's emails pass the list's 100`);

const api = new Api(gateway);
const rand = random(seed);
const cores = availableParallelism();
const failures: string[] = [];

// ---------------------------------------------------------------------------------------------
// Processes

const STACK_ROLES = /^postgres: [^:]+: (auth|orders|payments|inventory|notifications)_app (\S+) /;
const kafkaPort = Number((process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',')[0]!.split(':').at(-1));
// Each app by its command line, and (on its own port, npm run stack) by the port it listens on; the
// broker the stack uses by its port, as other brokers (tests') may run on this machine too.
const groups: ProcessGroup[] = [
  ...SERVICE_NAMES.map((app) => ({
    name: app,
    match: (c: string) => c.includes(`dist/apps/${app}/main.js`),
    filter: gateway ? undefined : (pid: number) => listensOn(pid, SERVICES[app].port),
  })),
  {
    name: 'kafka',
    match: (c: string) => /\bkafka\.Kafka\b/.test(c),
    filter: (pid: number) => listensOn(pid, kafkaPort),
  },
  {
    name: 'postgres',
    memory: 'RssAnon' as const,
    match: (c: string) => {
      const m = STACK_ROLES.exec(c);
      return !!m && (!database || m[2] === database);
    },
  },
];
// PostgreSQL: the backends of the apps' roles (in `database`), their private memory (RssAnon).
const groupLabel: Record<string, string> = { postgres: 'postgres (stack conns, RssAnon)' };

function idleRss(): Map<string, number> {
  const found = findProcesses(groups);
  return new Map(
    groups.map((g) => [g.name, found.get(g.name)!.reduce((sum, pid) => sum + (rssKb(pid, g.memory) ?? 0), 0)]),
  );
}

// ---------------------------------------------------------------------------------------------
// Setup (the admin, the products, the catalog copy, customers: @commerce/shop-client)

const run: Run = { api, id: runId, rand, say, skuPrefix: `LB-${runId}`, emailPrefix: `load-${runId}` };

// ---------------------------------------------------------------------------------------------
// One step: the timed phase, settling, the checks

interface Placed extends Planned {
  /** performance.now() of the due time, and of the final reply. */
  due: number;
  done: number;
  status: number | 'error';
  attempts: number;
  orderId?: string;
}

interface StepResult {
  rate: number;
  orders: number;
  accepted: number;
  achieved: number;
  maxDispatchLagMs: number;
  attemptStatuses: Counter;
  /** What the non-202 replies said: status, title and detail (or the network error). */
  errors: Counter;
  finalStatuses: Counter;
  retries: number;
  post: number[];
  outcomes: Counter;
  settle: number[];
  emailLag: number[];
  receivedLag: number[];
  /** placed -> the first inventory.* and payment.* outcome in the order app: which leg is slow. */
  inventoryLeg: number[];
  paymentLeg: number[];
  lastSettleToLastEmail: number;
  /** Order emails sent per second, from the first to the last of this step's. */
  emailRate: number;
  unsettled: number;
  timed: GroupUsage[];
  drain: GroupUsage[];
  rssBefore: Map<string, number>;
  benchCpuSeconds: number;
  machineBusyCores: number;
  timedSeconds: number;
  loadBefore: number;
  failures: string[];
}

async function timedPhase(planned: Planned[], rate: number, attemptStatuses: Counter, errors: Counter) {
  const interval = 1000 / rate;
  const start = performance.now() + 50;
  const placed: Placed[] = [];
  const inFlight: Promise<void>[] = [];
  let next = 0;
  let maxLag = 0;
  let answered = 0;
  const place = async (plan: Planned, due: number) => {
    const result = await placeOrder(plan, {
      attempts,
      onReply: (r) => {
        attemptStatuses.add(String(r.status));
        if (r.status !== 202) errors.add(replyProblem(r));
      },
    });
    answered++;
    placed.push({ ...plan, ...result, due, done: performance.now() });
  };
  const progress = setInterval(
    () => say(`  t=${((performance.now() - start) / 1000).toFixed(0)} s: sent ${next}, answered ${answered}`),
    5_000,
  );
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < planned.length && start + next * interval <= now) {
        const due = start + next * interval;
        maxLag = Math.max(maxLag, now - due);
        inFlight.push(place(planned[next]!, due));
        next++;
      }
      if (next >= planned.length) return resolve();
      setTimeout(tick, Math.max(0, start + next * interval - performance.now()));
    };
    setTimeout(tick, 50);
  });
  await Promise.all(inFlight); // each bounded: attempts × (30 s timeout + at most 10 s between them)
  clearInterval(progress);
  return { placed, start, maxLag };
}

async function runStep(index: number, rate: number, admin: Session, products: Product[]): Promise<StepResult> {
  const orders = Math.max(1, Math.round(rate * seconds));
  say('');
  say(`── step ${index + 1}/${rates.length}: ${rate} orders/s for ${seconds} s (${orders} orders) ──`);
  const stepFailures: string[] = [];
  await admin.login(); // a fresh token for this step (they last 15 minutes)

  // Tight skus back to this step's tight stock, so each step has its OUT_OF_STOCK share.
  await restockTight(admin, products, tightStock(orders));

  const customerCount = Math.ceil(orders / perCustomer);
  const registering = Date.now();
  const { customers, problems } = await newCustomers(run, customerCount, `s${index + 1}`);
  failures.push(...problems);
  say(`${customerCount} new customers registered, logged in and welcomed in ${Date.now() - registering} ms`);
  const planned = planOrders(rand, orders, customers, products);

  const rssBefore = idleRss();
  const loadBefore = loadavg()[0]!;
  const attemptStatuses = new Counter();
  const errors = new Counter();
  const sampler = new ProcSampler(groups);
  sampler.start();
  const cpu0 = process.cpuUsage();
  const machine0 = machineTicks();
  const wallStart = Date.now();
  const { placed, start, maxLag } = await timedPhase(planned, rate, attemptStatuses, errors);
  const timedEnd = performance.now();
  const timed = sampler.usage();
  const machine1 = machineTicks();
  const cpu1 = process.cpuUsage(cpu0);
  const timedSeconds = (timedEnd - start) / 1000;

  const acceptedInTime = placed.filter((p) => p.orderId);
  const finalStatuses = new Counter();
  for (const p of placed) finalStatuses.add(String(p.status));
  const lastAccepted = max(acceptedInTime.map((p) => p.done));
  const achieved = acceptedInTime.length / (Math.max(seconds * 1000, lastAccepted - start) / 1000);
  const post = placed.map((p) => p.done - p.due);
  say(
    `timed phase done in ${timedSeconds.toFixed(1)} s: ${acceptedInTime.length}/${orders} accepted; statuses ${attemptStatuses.format()}`,
  );
  const unanswered = await resolveUnanswered(placed);
  if (unanswered.length > 0)
    say(
      `  ${unanswered.length} orders never got an answer; asked again with the same keys: ${unanswered.filter((p) => p.orderId).length} had been (or are now) placed`,
    );
  const accepted = placed.filter((p) => p.orderId);

  // Settling: the admin's list of PENDING orders, until none of ours is left.
  const ids = new Set(accepted.map((p) => p.orderId!));
  const settleDeadline = Date.now() + settleTimeoutMs;
  let pending: string[] = [];
  let lastReport = Date.now();
  for (;;) {
    pending = [...(await listOrders(admin, 'PENDING', wallStart - 60_000, ids)).keys()];
    if (pending.length === 0 || Date.now() > settleDeadline) break;
    if (Date.now() - lastReport >= 5_000) {
      say(`  waiting for ${pending.length} PENDING orders to settle`);
      lastReport = Date.now();
    }
    await sleep(500);
  }
  const drain = sampler.stop();
  if (pending.length > 0) {
    failure(stepFailures, `accepted orders still PENDING ${settleTimeoutMs / 1000} s after the timed phase`, pending);
    say(
      `STILL PENDING after the deadline: ${pending.length}: ${pending.slice(0, 20).join(' ')}${pending.length > 20 ? ' …' : ''}`,
    );
  } else
    say(
      `all ${ids.size} accepted orders settled ${((performance.now() - timedEnd) / 1000).toFixed(1)} s after the timed phase`,
    );

  // Final statuses (the admin's lists), each order's history, its payment.
  const confirmed = await listOrders(admin, 'CONFIRMED', wallStart - 60_000, ids);
  const cancelled = await listOrders(admin, 'CANCELLED', wallStart - 60_000, ids);
  const { settled, outcomes } = await readSettled(admin, accepted, { confirmed, cancelled }, pending, stepFailures);
  countSold(settled, products);

  // CONFIRMED <=> CAPTURED, CANCELLED => nothing captured or held (the capture or void follows the
  // settling event: waited for); then the stock, reserved back to 0 once every order settled.
  const checkDeadline = Date.now() + emailTimeoutMs;
  await checkPayments(admin, settled, checkDeadline, stepFailures);
  await checkStock(admin, products, pending.length === 0, checkDeadline, stepFailures);

  // Emails: one per (order, type); ORDER_RECEIVED and the one matching the status, per order.
  const emails = await collectEmails(settled, emailTimeoutMs); // `${orderId} ${type}` → notifications
  checkEmails(settled, emails, emailTimeoutMs, stepFailures);
  const emailLag: number[] = [];
  const receivedLag: number[] = [];
  let lastEmail = -Infinity;
  const sentTimes: number[] = [];
  for (const s of settled) {
    const id = s.placed.orderId!;
    for (const type of ['ORDER_RECEIVED', finalEmail(s)]) {
      for (const n of emails.get(`${id} ${type}`) ?? []) {
        lastEmail = Math.max(lastEmail, Date.parse(n.sentAt));
        sentTimes.push(Date.parse(n.sentAt));
      }
    }
    const final = emails.get(`${id} ${finalEmail(s)}`)?.[0];
    if (final && s.settledAt !== undefined) emailLag.push(Date.parse(final.sentAt) - s.settledAt);
    const received = emails.get(`${id} ORDER_RECEIVED`)?.[0];
    if (received) receivedLag.push(Date.parse(received.sentAt) - s.placedAt);
  }

  const settleTimes = settled.filter((s) => s.settledAt !== undefined).map((s) => s.settledAt! - s.placedAt);
  const lastSettle = max(settled.filter((s) => s.settledAt !== undefined).map((s) => s.settledAt!));
  const result: StepResult = {
    rate,
    orders,
    accepted: accepted.length,
    achieved,
    maxDispatchLagMs: maxLag,
    attemptStatuses,
    errors,
    finalStatuses,
    retries: placed.reduce((sum, p) => sum + p.attempts - 1, 0),
    post,
    outcomes,
    settle: settleTimes,
    emailLag,
    receivedLag,
    inventoryLeg: settled.filter((x) => x.inventoryAt !== undefined).map((x) => x.inventoryAt! - x.placedAt),
    paymentLeg: settled.filter((x) => x.paymentAt !== undefined).map((x) => x.paymentAt! - x.placedAt),
    lastSettleToLastEmail: lastEmail - lastSettle,
    emailRate:
      sentTimes.length > 1 ? sentTimes.length / ((max(sentTimes) - Math.min(...sentTimes)) / 1000) : Number.NaN,
    unsettled: pending.length,
    timed,
    drain,
    rssBefore,
    benchCpuSeconds: (cpu1.user + cpu1.system) / 1e6,
    machineBusyCores: ((machine1.busy - machine0.busy) / Math.max(1, machine1.total - machine0.total)) * cores,
    timedSeconds,
    loadBefore,
    failures: stepFailures,
  };
  printStep(result);
  failures.push(...stepFailures.map((f) => `step ${rate}/s: ${f}`));
  return result;
}

// ---------------------------------------------------------------------------------------------
// Report

const kneeOk = (r: StepResult) =>
  r.unsettled === 0 &&
  r.accepted === r.orders &&
  [...r.attemptStatuses.keys()].every((s) => s === '202') &&
  percentile(r.settle, 99) <= p99Bound;

/** CPU milliseconds of the stack (apps, broker, database connections) per accepted order, to the last settle. */
const cpuPerOrder = (r: StepResult) =>
  (r.drain.reduce((sum, u) => sum + u.cpuSeconds, 0) * 1000) / Math.max(1, r.accepted);

function printStep(r: StepResult): void {
  const q = (v: number[], p: number) => ms(percentile(v, p));
  say(
    `offered ${r.rate.toFixed(1)}/s, achieved ${r.achieved.toFixed(1)}/s (${r.accepted}/${r.orders} accepted; the generator was at most ${ms(r.maxDispatchLagMs)} ms late)`,
  );
  say(
    `HTTP statuses, every attempt: ${r.attemptStatuses.format()}; final: ${r.finalStatuses.format()}; retries ${r.retries}`,
  );
  say(`POST latency from the due time: p50 ${q(r.post, 50)} ms, p99 ${q(r.post, 99)} ms, max ${ms(max(r.post))} ms`);
  if (r.errors.size > 0) say(`what the other replies said: ${r.errors.format()}`);
  say(`outcomes: ${r.outcomes.format()}`);
  say(
    `placed->settled (order history): p50 ${q(r.settle, 50)}, p90 ${q(r.settle, 90)}, p99 ${q(r.settle, 99)}, max ${ms(max(r.settle))} ms`,
  );
  say(
    `legs, placed -> outcome recorded by the order app: inventory p50 ${q(r.inventoryLeg, 50)}, p99 ${q(r.inventoryLeg, 99)} ms; payment p50 ${q(r.paymentLeg, 50)}, p99 ${q(r.paymentLeg, 99)} ms`,
  );
  say(
    `email lag (confirmed/cancelled email sentAt - settle): p50 ${q(r.emailLag, 50)}, p99 ${q(r.emailLag, 99)} ms; received email - placed: p50 ${q(r.receivedLag, 50)}, p99 ${q(r.receivedLag, 99)} ms; last settle -> last email ${ms(r.lastSettleToLastEmail)} ms; ${r.emailRate.toFixed(1)} order emails/s sent`,
  );
  say(`processes over the timed phase (${r.timedSeconds.toFixed(1)} s), and to the last settle:`);
  say(`  ${'process'.padEnd(44)} ${'pids'.padEnd(14)} RSS before  RSS peak  CPU s timed  CPU s to settled`);
  for (const u of r.timed) {
    const d = r.drain.find((x) => x.name === u.name)!;
    say(
      `  ${(groupLabel[u.name] ?? u.name).padEnd(44)} ${(u.pids.length > 3 ? `${u.pids.length} conns` : u.pids.join(',') || 'not found').padEnd(14)} ${`${mb(r.rssBefore.get(u.name) ?? 0)} MB`.padStart(10)} ${`${mb(d.peakRssKb)} MB`.padStart(9)} ${u.cpuSeconds.toFixed(1).padStart(12)} ${d.cpuSeconds.toFixed(1).padStart(17)}`,
    );
  }
  say(
    `  the stack spent ${cpuPerOrder(r).toFixed(0)} ms of CPU per accepted order (to the last settle; emails still due not included)`,
  );
  const ours = r.timed.reduce((sum, u) => sum + u.cpuSeconds, 0) + r.benchCpuSeconds;
  say(
    `  ${'this benchmark'.padEnd(44)} ${String(process.pid).padEnd(14)} ${''.padStart(10)} ${`${mb(process.resourceUsage().maxRSS)} MB`.padStart(9)} ${r.benchCpuSeconds.toFixed(1).padStart(12)}`,
  );
  say(
    `  machine: ${r.machineBusyCores.toFixed(2)} of ${cores} cores busy during the timed phase; the processes above ${(ours / r.timedSeconds).toFixed(2)}, everything else ${Math.max(0, r.machineBusyCores - ours / r.timedSeconds).toFixed(2)}; load average before ${r.loadBefore.toFixed(1)}`,
  );
  say(
    r.failures.length === 0
      ? 'invariants: all hold'
      : `INVARIANTS FAILED:\n${r.failures.map((f) => `  - ${f}`).join('\n')}`,
  );
}

function summaryRow(r: StepResult): string {
  const q = (v: number[], p: number) => ms(percentile(v, p));
  return `| ${r.rate} | ${r.achieved.toFixed(1)} | ${r.orders} | ${r.attemptStatuses.format()} | ${q(r.post, 50)} / ${q(r.post, 99)} | ${q(r.settle, 50)} / ${q(r.settle, 90)} / ${q(r.settle, 99)} / ${ms(max(r.settle))} | ${q(r.emailLag, 50)} / ${q(r.emailLag, 99)} | ${ms(r.lastSettleToLastEmail)} | ${r.emailRate.toFixed(1)} | ${r.unsettled === 0 ? 'all' : `${r.unsettled} pending`} | ${r.failures.length === 0 ? 'hold' : 'FAIL'} | ${kneeOk(r) ? 'yes' : 'no'} |`;
}

function cpuRow(r: StepResult): string {
  const cell = (name: string) => {
    const u = r.timed.find((x) => x.name === name)!;
    return `${u.cpuSeconds.toFixed(1)} / ${mb(r.drain.find((x) => x.name === name)!.peakRssKb)}`;
  };
  return `| ${r.rate} | ${[...SERVICE_NAMES, 'kafka', 'postgres'].map(cell).join(' | ')} | ${r.benchCpuSeconds.toFixed(1)} | ${r.machineBusyCores.toFixed(2)} | ${cpuPerOrder(r).toFixed(0)} |`;
}

function commandLine(): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`);
  const env = ['STACK_DATABASE', 'STACK_POSTGRES_URL', 'ADMIN_EMAIL']
    .filter((k) => process.env[k])
    .map((k) => `${k}=${quote(process.env[k]!)} `)
    .join('');
  const args = process.argv.slice(2);
  return `${env}npm run bench:load${args.length ? ` -- ${args.map(quote).join(' ')}` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Main

const watchdog = setTimeout(() => {
  console.error('[load] gave up: the whole run took over 3 hours');
  process.exit(1);
}, 3 * 3600_000);
watchdog.unref();

try {
  say(`run ${runId}, seed ${seed}, against ${gateway ?? 'each app on its own port (npm run stack)'}`);
  say(`PostgreSQL counted: the connections of the apps' roles${database ? ` to ${database}` : ' (any database)'}`);
  say(
    `machine: ${cores} cores (${cpus()[0]?.model ?? '?'}), load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}, Node ${process.version}`,
  );

  let calibration: Calibration | undefined;
  if (!opts['no-pgbench']) {
    say('calibrating: pgbench -i -s 1, then -c 8 -j 2 -T 10 on a scratch database …');
    try {
      calibration = await pgbench(postgresUrl, `loadbench_${runId}`);
      say(`pgbench: ${calibration.summary}`);
    } catch (error) {
      say(`pgbench failed (the run goes on without it): ${(error as Error).message}`);
    }
  }

  await waitReady(api);
  const idle = idleRss();
  say('RSS before the run (idle):');
  for (const [name, kb] of idle) say(`  ${(groupLabel[name] ?? name).padEnd(44)} ${mb(kb).padStart(6)} MB`);
  if (!SERVICE_NAMES.every((app) => (idle.get(app) ?? 0) > 0))
    say('  (an app not found by its command line dist/apps/<app>/main.js: its CPU and RSS are not measured)');

  const admin = new Session(api, process.env.ADMIN_EMAIL ?? 'admin@commerce.local', adminPassword());
  await admin.login();
  const products = await createProducts(run, admin, Math.round(rates[0]! * seconds));
  say(
    `created ${PRODUCTS} products LB-${runId}-* (${TIGHT} with tight stock, the rest ${PLENTY.toLocaleString('en')})`,
  );
  await waitForCatalog(run, admin, products);

  const results: StepResult[] = [];
  for (const [index, rate] of rates.entries()) {
    const result = await runStep(index, rate, admin, products);
    results.push(result);
    if (result.unsettled > 0 && index < rates.length - 1) {
      say(`stopping here: orders of this step are still PENDING, so a next step would measure their backlog`);
      break;
    }
  }

  console.log('');
  say('summary (latencies in ms; CPU s over the timed phase / peak RSS MB)');
  console.log('');
  console.log(
    '| offered/s | achieved/s | orders | HTTP statuses | POST p50 / p99 | placed→settled p50 / p90 / p99 / max | email lag p50 / p99 | last settle → last email | emails/s | settled | invariants | knee |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) console.log(summaryRow(r));
  console.log('');
  console.log(
    `| offered/s | ${[...SERVICE_NAMES, 'kafka', 'postgres'].join(' | ')} | bench CPU s | machine busy cores (of ${cores}) | stack CPU ms / order |`,
  );
  console.log(`|---|${[...SERVICE_NAMES, 'kafka', 'postgres'].map(() => '---|').join('')}---|---|---|`);
  for (const r of results) console.log(cpuRow(r));
  console.log('');

  const passing = results.filter(kneeOk);
  const knee = passing.length ? Math.max(...passing.map((r) => r.rate)) : undefined;
  const yardstick = stepping ? knee : rates[0];
  if (stepping)
    say(
      knee === undefined
        ? `knee: none of the steps settled every order with only 202s and placed→settled p99 <= ${p99Bound} ms`
        : `knee: ${knee} orders/s (the highest step with every order settled, only 202s, placed→settled p99 <= ${p99Bound} ms)`,
    );
  if (calibration)
    say(
      `pgbench ${calibration.tps.toFixed(0)} tps; ${stepping ? 'knee' : 'rate'} / tps = ${yardstick === undefined ? '–' : (yardstick / calibration.tps).toFixed(4)}`,
    );

  const label = opts.label ?? '';
  const first = results[0]!;
  const best = results.find((r) => r.rate === knee) ?? first;
  const q = (v: number[], p: number) => ms(percentile(v, p));
  console.log('');
  say('row for docs/benchmarks.md:');
  console.log(
    '| run | date | offered/s | knee (p99 ≤ bound) | achieved/s | POST p50 / p99 ms | placed→settled p50 / p99 / max ms | email lag p99 ms | order CPU s | pgbench tps | ' +
      `${stepping ? 'knee' : 'rate'} / tps |`,
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  console.log(
    `| ${label} | ${new Date().toISOString().slice(0, 10)} | ${rates.join(', ')} | ${stepping ? (knee ?? 'none') : kneeOk(first) ? 'yes' : 'no'} | ${best.achieved.toFixed(1)} | ${q(best.post, 50)} / ${q(best.post, 99)} | ${q(best.settle, 50)} / ${q(best.settle, 99)} / ${ms(max(best.settle))} | ${q(best.emailLag, 99)} | ${best.timed.find((u) => u.name === 'order')!.cpuSeconds.toFixed(1)} | ${calibration ? calibration.tps.toFixed(0) : '–'} | ${calibration && yardstick !== undefined ? (yardstick / calibration.tps).toFixed(4) : '–'} |`,
  );
  console.log('');
  say(`command: ${commandLine()}`);
  if (calibration) say(`calibration: ${calibration.command} <scratch database> (after pgbench -i -s 1)`);

  if (failures.length > 0) {
    say(`FAILED: ${failures.length} invariant check(s):`);
    for (const f of failures) say(`  - ${f}`);
    process.exit(1);
  }
  say('every invariant held');
  process.exit(0);
} catch (error) {
  console.error(`[load] ${(error as Error).stack ?? error}`);
  process.exit(1);
}
