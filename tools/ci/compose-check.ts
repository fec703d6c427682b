// Checks docker-compose.yml against docs/contract.md and docs/operations.md: Traefik routes every app
// prefix to its app by Docker labels; only Traefik and the UIs publish ports, the UIs on 127.0.0.1
// alone; a fresh clone needs no .env (every variable has a default, the same one everywhere) and
// its defaults never run the apps as production; auth reads the key auth-keygen makes; Kafka is the
// version of tools/infra/kafka.version. Exits 1 naming what is wrong.
//   node tools/ci/compose-check.ts [compose file]
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { SERVICE_NAMES, SERVICES } from '@commerce/contracts';

interface ComposeService {
  image?: string;
  ports?: unknown[];
  labels?: string[] | Record<string, string>;
  environment?: Record<string, unknown> | string[];
  volumes?: unknown[];
  healthcheck?: unknown;
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
}

const root = join(import.meta.dirname, '../..');
const file = resolve(process.argv[2] ?? join(root, 'docker-compose.yml'));
const text = readFileSync(file, 'utf8');
const compose = parse(text, { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;
const kafkaVersion = readFileSync(join(root, 'tools/infra/kafka.version'), 'utf8').trim();
const PUBLISHERS = new Set(['traefik', 'mailpit', 'kafka-ui']);
// The one port meant for everyone: the API. Dashboards and UIs have no login.
const PUBLIC_PORTS = new Set(['traefik:8080:8080']);
const problems: string[] = [];

const labelsOf = (service: ComposeService): Record<string, string> =>
  Array.isArray(service.labels)
    ? Object.fromEntries(service.labels.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
    : (service.labels ?? {});

const environmentOf = (service: ComposeService): Record<string, string> =>
  Array.isArray(service.environment)
    ? Object.fromEntries(service.environment.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]))
    : Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, String(v)]));

// Every ${VAR…} reference: a fresh clone has no .env, so each needs a default, and one variable has one.
const defaults = new Map<string, Set<string>>();
const uncommented = text
  .split('\n')
  .filter((line) => !line.trimStart().startsWith('#'))
  .join('\n');
for (const [, name, operator, value] of uncommented.matchAll(/\$\{(\w+)(:?[-?])?([^}]*)\}/g)) {
  if (operator !== ':-') {
    problems.push(`\${${name}${operator ?? ''}${value}}: no default, so a fresh clone without .env cannot start`);
    continue;
  }
  defaults.set(name, (defaults.get(name) ?? new Set()).add(value));
}
for (const [name, values] of defaults) {
  if (values.size > 1) problems.push(`${name} has different defaults: ${[...values].join(', ')}`);
}

/** A value as a fresh clone sees it: every ${VAR:-default} replaced by its default. */
const withDefaults = (value: string) => value.replace(/\$\{(\w+):-([^}]*)\}/g, (_, _name, fallback) => fallback);

if (!/^traefik:v3/.test(services.traefik?.image ?? '')) problems.push('traefik: not a Traefik v3 image');
if (services.kafka?.image !== `apache/kafka:${kafkaVersion}`)
  problems.push(
    `kafka: image ${services.kafka?.image} is not apache/kafka:${kafkaVersion} (tools/infra/kafka.version)`,
  );

for (const [name, service] of Object.entries(services)) {
  if (!service.ports?.length) continue;
  if (!PUBLISHERS.has(name)) {
    problems.push(`${name}: publishes ports ${JSON.stringify(service.ports)}`);
    continue;
  }
  for (const port of service.ports.map(String)) {
    if (!PUBLIC_PORTS.has(`${name}:${port}`) && !port.startsWith('127.0.0.1:'))
      problems.push(`${name}: publishes ${port} on every interface; bind it to 127.0.0.1`);
  }
}

for (const app of SERVICE_NAMES) {
  const service = services[app];
  if (!service) {
    problems.push(`${app}: no such service`);
    continue;
  }
  const labels = labelsOf(service);
  const prefix = `/${SERVICES[app].prefix}`;
  const routed = Object.entries(labels).some(
    ([key, value]) => /^traefik\.http\.routers\.[^.]+\.rule$/.test(key) && value.includes(`PathPrefix(\`${prefix}\`)`),
  );
  if (labels['traefik.enable'] !== 'true' || !routed)
    problems.push(`${app}: no Traefik route for PathPrefix(\`${prefix}\`)`);
  if (labels[`traefik.http.services.${app}.loadbalancer.server.port`] !== String(SERVICES[app].port))
    problems.push(`${app}: Traefik does not forward to port ${SERVICES[app].port}`);
  // Routed by readiness (the database), never by /health: a broker outage must not take the API away.
  if (labels[`traefik.http.services.${app}.loadbalancer.healthcheck.path`] !== `${prefix}/health/ready`)
    problems.push(`${app}: Traefik does not health-check ${prefix}/health/ready`);
  if (service.depends_on?.[`${app}-migrate`]?.condition !== 'service_completed_successfully')
    problems.push(`${app}: does not wait for ${app}-migrate`);
  if (service.depends_on?.kafka?.condition !== 'service_healthy')
    problems.push(`${app}: does not wait for a healthy Kafka`);
  if (!service.restart) problems.push(`${app}: no restart policy`);
  // The defaults are development values: production must be asked for, never the default.
  if (withDefaults(environmentOf(service).NODE_ENV ?? 'production') === 'production')
    problems.push(`${app}: runs with NODE_ENV=production when nothing is set (the image's default)`);
}
const loginLimited = Object.entries(labelsOf(services.auth ?? {})).some(
  ([key, value]) => key.endsWith('.rule') && value.includes('/api/auth/login'),
);
if (!loginLimited) problems.push('auth: no rate-limited router for /api/auth/login');

// With NODE_ENV=production, env-guard stops the stack before postgres takes a dev-only password.
if (services.postgres?.depends_on?.['env-guard']?.condition !== 'service_completed_successfully')
  problems.push('postgres: does not wait for env-guard');

// auth signs with the key auth-keygen writes into a volume that auth mounts read-only.
const keyFile = environmentOf(services.auth ?? {}).AUTH_SIGNING_KEY_FILE ?? '';
const keyVolume = (services.auth?.volumes ?? [])
  .map(String)
  .map((v) => v.split(':'))
  .find(([, target]) => target && keyFile.startsWith(`${target}/`));
if (!keyVolume || keyVolume[2] !== 'ro')
  problems.push(`auth: AUTH_SIGNING_KEY_FILE (${keyFile || 'unset'}) is not in a volume it mounts read-only`);
else if (!(services['auth-keygen']?.volumes ?? []).map(String).some((v) => v.split(':')[0] === keyVolume[0]))
  problems.push(`auth-keygen: does not write the volume ${keyVolume[0]} that auth reads its key from`);
if (services.auth?.depends_on?.['auth-keygen']?.condition !== 'service_completed_successfully')
  problems.push('auth: does not wait for auth-keygen');

if (problems.length) {
  for (const p of new Set(problems)) console.error(`[compose-check] ${p}`);
  process.exit(1);
}
console.log(
  `[compose-check] ${SERVICE_NAMES.length} prefixes routed by Traefik; ports published only by ${[...PUBLISHERS].join(', ')}` +
    ` (UIs on 127.0.0.1); ${defaults.size} variables, each with one development default; auth reads auth-keygen's key`,
);
