// `npm run stack`: the five apps on this machine without Docker. Brings up the local infra
// (tools/infra), provisions each app's schema and role, applies migrations, starts the built apps
// with the same variables docker-compose.yml gives them, waits until each is ready and prints the
// URLs. Ctrl-C or SIGTERM stops what it started (the infra only if it was not already running).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { SERVICE_NAMES, SERVICES, type ServiceName } from '@commerce/contracts';
import { applyMigrations, provisionSchemas, serviceDatabaseUrl } from '@commerce/tools-database';

const root = join(import.meta.dirname, '../..');
const infra = join(root, 'tools/infra/infra');
const adminUrl = process.env.STACK_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const database = process.env.STACK_DATABASE ?? 'commerce';
const brokers = process.env.KAFKA_BROKERS ?? `127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`;
const smtpPort = Number(process.env.SMTP_SINK_PORT ?? '1025');
const adminEmail = process.env.ADMIN_EMAIL ?? 'admin@commerce.local';
const say = (line: string) => console.log(`[stack] ${line}`);

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

const children = new Map<ServiceName, ChildProcess>();
let infraStartedHere = false;
let stopping = false;

async function stop(code: number): Promise<never> {
  if (stopping) process.exit(code);
  stopping = true;
  say('stopping…');
  await Promise.all(
    [...children.entries()].map(
      ([name, child]) =>
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
  if (infraStartedHere) spawnSync(infra, ['down'], { stdio: 'inherit' });
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

async function ready(service: ServiceName, deadline: number): Promise<void> {
  const url = `http://127.0.0.1:${SERVICES[service].port}/${SERVICES[service].prefix}/health/ready`;
  while (Date.now() < deadline) {
    if (children.get(service)?.exitCode !== null && children.get(service)?.exitCode !== undefined)
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

try {
  // Stopped at the end only if this command started it: `infra up` says when the broker already
  // answered (or another command started it meanwhile), and that broker is left running.
  const up = spawnSync(infra, ['up'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  process.stdout.write(up.stdout);
  if (up.status !== 0) throw new Error(`tools/infra/infra up failed (${up.status})`);
  infraStartedHere = !up.stdout.includes('already answers');

  // Development credentials, made afresh on every start and never written down.
  const owners = SERVICE_NAMES.map((service) => ({
    service,
    schema: SERVICES[service].schema,
    role: `${SERVICES[service].schema}_app`,
    password: randomBytes(16).toString('hex'),
  }));
  await provisionSchemas(adminUrl, database, owners);
  const urls = new Map(owners.map((o) => [o.service, serviceDatabaseUrl(adminUrl, database, o)]));
  for (const { service } of owners) {
    const { applied } = await applyMigrations({
      databaseUrl: urls.get(service)!,
      migrationsDir: join(root, 'prisma', service, 'migrations'),
    });
    say(`${service}: ${applied.length ? `applied ${applied.join(', ')}` : 'schema up to date'}`);
  }

  const sink = await startSmtpSink();
  process.once('exit', () => sink.close());
  say(`SMTP sink on smtp://127.0.0.1:${smtpPort} (emails are printed here)`);
  const adminPassword = devSecret('admin-password', process.env.ADMIN_PASSWORD);

  for (const service of SERVICE_NAMES) {
    const child = spawn(process.execPath, ['--enable-source-maps', join(root, 'dist/apps', service, 'main.js')], {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        PORT: String(SERVICES[service].port),
        HOST: '127.0.0.1',
        DATABASE_URL: urls.get(service),
        KAFKA_BROKERS: brokers,
        KAFKA_CLIENT_ID: service,
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
        SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        AUTH_JWKS_URL: `http://127.0.0.1:${SERVICES.auth.port}/${SERVICES.auth.prefix}/.well-known/jwks.json`,
        ...(service === 'auth'
          ? {
              ADMIN_EMAIL: adminEmail,
              ADMIN_PASSWORD: adminPassword,
              AUTH_SIGNING_KEY_FILE: '.secrets/auth-signing-key.pem',
            }
          : {}),
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('exit', (code, signal) => {
      if (!stopping) {
        say(`${service} exited (${signal ?? code}); stopping the stack`);
        void stop(1);
      }
    });
    children.set(service, child);
  }
  // A broker that just started elects leaders for every partition it holds before the apps are ready.
  const deadline = Date.now() + 120_000;
  await Promise.all(SERVICE_NAMES.map((service) => ready(service, deadline)));
  say('all five apps are ready:');
  for (const service of SERVICE_NAMES)
    say(
      `  ${service.padEnd(12)} http://127.0.0.1:${SERVICES[service].port}/${SERVICES[service].prefix}  (health: …/health/ready)`,
    );
  say(
    `admin: ${adminEmail} / password in ${join(secretsDir, 'admin-password')} (development only; ADMIN_PASSWORD chooses it)`,
  );
  say('Ctrl-C stops everything this command started.');
} catch (error) {
  console.error(`[stack] ${(error as Error).message}`);
  await stop(1);
}
