// `npm run stack`: the five apps on this machine without Docker. Brings up the local infra
// (tools/infra), provisions each app's schema and role, applies migrations, starts the built apps
// with the same variables docker-compose.yml gives them, waits until each is ready and prints the
// URLs. An app that exits on its own is started again, as compose's `restart: unless-stopped`
// does. Ctrl-C or SIGTERM stops what it started (the infra only if it was not already running).
// For the chaos drill: STACK_PROXY_APP=<app> puts TCP proxies between that app and the database
// and the broker, and a control endpoint (127.0.0.1:STACK_CONTROL_PORT) lists the apps' pids and
// cuts or restores the proxies.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { SERVICE_NAMES, SERVICES, type ServiceName } from '@commerce/contracts';
import {
  applyMigrations,
  migratorDatabaseUrl,
  provisionSchemas,
  schemaRoles,
  serviceDatabaseUrl,
} from '@commerce/tools-database';
import { CuttableProxy, type CutMode } from './cuttable-proxy.ts';

const root = join(import.meta.dirname, '../..');
const infra = join(root, 'tools/infra/infra');
const adminUrl = process.env.STACK_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const database = process.env.STACK_DATABASE ?? 'commerce';
const brokers = process.env.KAFKA_BROKERS ?? `127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`;
const smtpPort = Number(process.env.SMTP_SINK_PORT ?? '1025');
const adminEmail = process.env.ADMIN_EMAIL ?? 'admin@commerce.local';
// `no`: an app that exits stops the whole stack (the behaviour before the supervisor).
const restartApps = process.env.STACK_RESTART !== 'no';
const controlPort = Number(process.env.STACK_CONTROL_PORT ?? '3099');
const proxyApp = process.env.STACK_PROXY_APP || undefined;
// The broker's chaos listener (tools/infra): it advertises the proxy's address, so the proxied
// app's every broker connection comes back through the proxy.
const chaosListenerPort = Number(process.env.KAFKA_CHAOS_PORT ?? '9193');
const chaosProxyPort = Number(process.env.KAFKA_CHAOS_PROXY_PORT ?? String(chaosListenerPort - 1));
const say = (line: string) => console.log(`[stack] ${line}`);
if (proxyApp !== undefined && !(SERVICE_NAMES as readonly string[]).includes(proxyApp)) {
  console.error(`[stack] STACK_PROXY_APP must be one of ${SERVICE_NAMES.join(', ')}, not ${proxyApp}`);
  process.exit(2);
}

// Per machine, like the `commerce` database the stack keeps: every checkout finds the same admin.
const secretsDir = join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'commerce');

/** A development secret: from the environment, else generated once into ~/.config/commerce (outside git). */
function devSecret(name: string, fromEnv: string | undefined): string {
  if (fromEnv) return fromEnv;
  const file = join(secretsDir, name);
  if (!existsSync(file)) {
    mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, randomBytes(12).toString('base64url'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

/** The local SMTP sink: accepts every email and prints who it is for and its subject. */
function startSmtpSink(): Promise<SMTPServer> {
  const sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        if (head.length < 4096) head += chunk.toString();
      });
      stream.on('end', () => {
        const subject = /^Subject: (.*)$/im.exec(head)?.[1] ?? '(no subject)';
        say(`mail to ${session.envelope.rcptTo.map((r) => r.address).join(', ')}: ${subject}`);
        callback();
      });
    },
  });
  return new Promise((resolve, reject) => {
    sink.once('error', reject);
    sink.listen(smtpPort, '127.0.0.1', () => resolve(sink));
  });
}

interface Supervised {
  child: ChildProcess;
  startedAt: number;
  restarts: number;
}

const children = new Map<ServiceName, Supervised>();
const proxies: { database?: CuttableProxy; kafka?: CuttableProxy } = {};
let control: Server | undefined;
let infraStartedHere = false;
let stopping = false;

async function stop(code: number): Promise<never> {
  if (stopping) process.exit(code);
  stopping = true;
  say('stopping…');
  control?.close();
  await Promise.all(
    [...children.entries()].map(
      ([name, { child }]) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
          child.once('exit', () => {
            clearTimeout(kill);
            say(`${name} stopped`);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  await Promise.all([proxies.database?.close(), proxies.kafka?.close()]);
  if (infraStartedHere) spawnSync(infra, ['down'], { stdio: 'inherit' });
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

// At start-up the stack waits for /health (every component: Kafka answers, the relay runs, the
// consumer group is joined), not only /health/ready (HTTP), so "ready" here means orders flow.
async function ready(service: ServiceName, deadline: number): Promise<void> {
  const url = `http://127.0.0.1:${SERVICES[service].port}/${SERVICES[service].prefix}/health`;
  while (Date.now() < deadline) {
    const child = children.get(service)?.child;
    if (!restartApps && child?.exitCode !== null && child?.exitCode !== undefined)
      throw new Error(`${service} exited during start-up`);
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${service} was not ready at ${url} in time`);
}

/** Starts an app and, unless the stack is stopping, starts it again when it exits, as compose's
 * `restart: unless-stopped` does: at once after a long run, with a growing delay (to 30 s) while it
 * keeps exiting within 10 s of its start. */
function startApp(service: ServiceName, env: NodeJS.ProcessEnv, restarts: number, delayMs = 0): void {
  const child = spawn(process.execPath, ['--enable-source-maps', join(root, 'dist/apps', service, 'main.js')], {
    cwd: root,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const startedAt = Date.now();
  children.set(service, { child, startedAt, restarts });
  child.once('exit', (code, signal) => {
    if (stopping) return;
    if (!restartApps) {
      say(`${service} exited (${signal ?? code}); stopping the stack`);
      void stop(1);
      return;
    }
    const next = Date.now() - startedAt > 10_000 ? 0 : Math.min(30_000, Math.max(500, delayMs * 2));
    say(
      `${service} exited (${signal ?? code}); starting it again${next ? ` in ${next} ms` : ''} (restart ${restarts + 1})`,
    );
    setTimeout(() => {
      if (!stopping) startApp(service, env, restarts + 1, next);
    }, next);
  });
}

function throughProxy(url: string, port: number): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The proxied app's way to PostgreSQL (any free port) and to the broker's chaos listener. */
async function startProxies(): Promise<void> {
  if (!(await portAnswers(chaosListenerPort)))
    throw new Error(
      `STACK_PROXY_APP=${proxyApp}: nothing listens on the broker's chaos listener 127.0.0.1:${chaosListenerPort} (KAFKA_CHAOS_PORT). tools/infra gives a broker it starts that listener; a broker started before it had one must be restarted (tools/infra/infra down --kafka-only && tools/infra/infra up)`,
    );
  const database = new URL(adminUrl);
  proxies.database = await new CuttableProxy({ host: database.hostname, port: Number(database.port || 5432) }).start();
  proxies.kafka = await new CuttableProxy({ host: '127.0.0.1', port: chaosListenerPort }, chaosProxyPort).start();
}

/** The control endpoint the chaos drill uses: GET /apps, POST /proxy/cut?mode=…, POST /proxy/restore. */
function startControl(): Promise<Server> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const reply = (status: number, body?: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(body === undefined ? undefined : JSON.stringify(body));
    };
    if (request.method === 'GET' && url.pathname === '/apps')
      return reply(200, {
        apps: Object.fromEntries(
          [...children].map(([name, s]) => [name, { pid: s.child.pid, startedAt: s.startedAt, restarts: s.restarts }]),
        ),
        proxy: proxyApp
          ? {
              app: proxyApp,
              cut: proxies.database?.cut ?? null,
              database: proxies.database?.port,
              kafka: proxies.kafka?.port,
            }
          : null,
      });
    if (request.method === 'POST' && url.pathname === '/proxy/cut') {
      const mode = (url.searchParams.get('mode') ?? 'refuse') as CutMode;
      if (!proxyApp) return reply(409, { error: 'no proxied app: start the stack with STACK_PROXY_APP=<app>' });
      if (mode !== 'refuse' && mode !== 'blackhole') return reply(422, { error: 'mode is refuse or blackhole' });
      say(`cutting ${proxyApp} off from PostgreSQL and Kafka (${mode})`);
      return void Promise.all([proxies.database!.cutOff(mode), proxies.kafka!.cutOff(mode)]).then(() => reply(204));
    }
    if (request.method === 'POST' && url.pathname === '/proxy/restore') {
      if (!proxyApp) return reply(409, { error: 'no proxied app' });
      say(`${proxyApp} reaches PostgreSQL and Kafka again`);
      return void Promise.all([proxies.database!.restore(), proxies.kafka!.restore()]).then(() => reply(204));
    }
    reply(404, { error: 'GET /apps, POST /proxy/cut?mode=refuse|blackhole, POST /proxy/restore' });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(controlPort, '127.0.0.1', () => resolve(server));
  });
}

try {
  // Stopped at the end only if this command started it: `infra up` says when the broker already
  // answered (or another command started it meanwhile), and that broker is left running.
  const up = spawnSync(infra, ['up'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  process.stdout.write(up.stdout);
  if (up.status !== 0) throw new Error(`tools/infra/infra up failed (${up.status})`);
  infraStartedHere = !up.stdout.includes('already answers');

  // Development credentials, made afresh on every start and never written down. Each app's
  // migrations run as `<schema>_migrator`, the schema's owner; the app as `<schema>_app`, data only.
  const owners = SERVICE_NAMES.map((service) => ({
    service,
    ...schemaRoles(SERVICES[service].schema, () => randomBytes(16).toString('hex')),
  }));
  await provisionSchemas(adminUrl, database, owners);
  const urls = new Map(owners.map((o) => [o.service, serviceDatabaseUrl(adminUrl, database, o)]));
  for (const owner of owners) {
    const { service } = owner;
    const { applied } = await applyMigrations({
      databaseUrl: migratorDatabaseUrl(adminUrl, database, owner),
      migrationsDir: join(root, 'prisma', service, 'migrations'),
    });
    say(`${service}: ${applied.length ? `applied ${applied.join(', ')}` : 'schema up to date'}`);
  }

  const sink = await startSmtpSink();
  process.once('exit', () => sink.close());
  say(`SMTP sink on smtp://127.0.0.1:${smtpPort} (emails are printed here)`);
  const adminPassword = devSecret('admin-password', process.env.ADMIN_PASSWORD);

  if (proxyApp) await startProxies();
  const environment = (service: ServiceName): NodeJS.ProcessEnv => ({
    ...process.env,
    NODE_ENV: 'development',
    PORT: String(SERVICES[service].port),
    HOST: '127.0.0.1',
    DATABASE_URL: service === proxyApp ? throughProxy(urls.get(service)!, proxies.database!.port) : urls.get(service),
    KAFKA_BROKERS: service === proxyApp ? `127.0.0.1:${proxies.kafka!.port}` : brokers,
    KAFKA_CLIENT_ID: service,
    // tools/infra's broker allows a 3 s session (a broker that does not makes the consumer take 6 s).
    CONSUMER_SESSION_TIMEOUT_MS: process.env.CONSUMER_SESSION_TIMEOUT_MS ?? '3000',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    AUTH_JWKS_URL: `http://127.0.0.1:${SERVICES.auth.port}/${SERVICES.auth.prefix}/.well-known/jwks.json`,
    ...(service === 'auth'
      ? {
          ADMIN_EMAIL: adminEmail,
          ADMIN_PASSWORD: adminPassword,
          AUTH_SIGNING_KEY_FILE: '.secrets/auth-signing-key.pem',
          // The drills and benchmarks register every customer from this machine's one address.
          REGISTER_MAX_PER_ADDRESS: process.env.REGISTER_MAX_PER_ADDRESS ?? '100000',
        }
      : {}),
  });
  for (const service of SERVICE_NAMES) startApp(service, environment(service), 0);
  control = await startControl();
  // A broker that just started elects leaders for every partition it holds before the apps are ready.
  const deadline = Date.now() + 120_000;
  await Promise.all(SERVICE_NAMES.map((service) => ready(service, deadline)));
  say('all five apps are ready, every component up:');
  for (const service of SERVICE_NAMES)
    say(
      `  ${service.padEnd(12)} http://127.0.0.1:${SERVICES[service].port}/${SERVICES[service].prefix}  (…/health/ready for HTTP, …/health for every component; details with an admin token)`,
    );
  // The apps inherit this process's environment: METRICS_ENABLED=false reaches each of them.
  if (process.env.METRICS_ENABLED === 'false')
    say('metrics: off (METRICS_ENABLED=false): <prefix>/metrics answers 404');
  else {
    say('Prometheus metrics, straight from each app (scrape these; no gateway serves them):');
    for (const service of SERVICE_NAMES)
      say(`  ${service.padEnd(12)} http://127.0.0.1:${SERVICES[service].port}/${SERVICES[service].prefix}/metrics`);
  }
  const otlp = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  say(
    otlp
      ? `traces: every app exports them over OTLP/HTTP to ${otlp}`
      : 'traces: off (OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 exports them to a local OTLP endpoint, such as npm run otlp:sink)',
  );
  say(
    `admin: ${adminEmail} / password in ${join(secretsDir, 'admin-password')} (development only; ADMIN_PASSWORD chooses it)`,
  );
  if (proxyApp)
    say(
      `${proxyApp} reaches PostgreSQL through 127.0.0.1:${proxies.database!.port} and Kafka through 127.0.0.1:${proxies.kafka!.port} (proxies the chaos drill cuts)`,
    );
  say(
    `control: http://127.0.0.1:${controlPort}/apps (pids and restarts)${proxyApp ? ', POST /proxy/cut?mode=refuse|blackhole, POST /proxy/restore' : ''}`,
  );
  say(
    `an app that exits is started again${restartApps ? '' : ' (off: STACK_RESTART=no, an app exiting stops the stack)'}`,
  );
  say('Ctrl-C stops everything this command started.');
} catch (error) {
  console.error(`[stack] ${(error as Error).message}`);
  await stop(1);
}
