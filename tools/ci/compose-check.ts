// Checks docker-compose.yml against docs/contract.md and docs/operations.md: Traefik routes every app
// prefix to its app by Docker labels, and rate-limits login and register in every spelling Express
// routes there; Traefik reads Docker only through the read-only socket proxy; each app connects to
// PostgreSQL as <schema>_app and its migration as <schema>_migrator; only Traefik and the
// UIs publish ports, the UIs on 127.0.0.1 alone; a fresh clone needs no .env (every variable has a default, the same one everywhere) and
// its defaults never run the apps as production; auth reads the key auth-keygen makes; no router
// reaches an app's /metrics in any spelling Express routes there; Kafka is the
// version of tools/infra/kafka.version; the `observability` profile's Prometheus, Grafana and Jaeger
// are pinned, start only with the profile, publish on 127.0.0.1 alone, and Prometheus scrapes every
// app's <prefix>/metrics at its port. Exits 1 naming what is wrong.
//   node tools/ci/compose-check.ts [compose file]
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { SERVICE_NAMES, SERVICES } from '@commerce/contracts';

interface ComposeService {
  image?: string;
  profiles?: string[];
  ports?: unknown[];
  labels?: string[] | Record<string, string>;
  environment?: Record<string, unknown> | string[];
  volumes?: unknown[];
  healthcheck?: unknown;
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
  networks?: string[];
  command?: string[];
}

const root = join(import.meta.dirname, '../..');
const file = resolve(process.argv[2] ?? join(root, 'docker-compose.yml'));
const text = readFileSync(file, 'utf8');
const compose = parse(text, { merge: true }) as {
  services: Record<string, ComposeService>;
  networks?: Record<string, { internal?: boolean } | null>;
};
const services = compose.services;
const kafkaVersion = readFileSync(join(root, 'tools/infra/kafka.version'), 'utf8').trim();
// The services of the `observability` profile: UIs without a real login, like Mailpit and Kafka UI.
const OBSERVABILITY = ['prometheus', 'grafana', 'jaeger'];
const PUBLISHERS = new Set(['traefik', 'mailpit', 'kafka-ui', ...OBSERVABILITY]);
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

/** Where a published port listens on the host: short syntax `[host:]published:target[/proto]` or the long one. */
const hostAddressOf = (port: unknown): string => {
  if (typeof port === 'object' && port !== null) return (port as { host_ip?: string }).host_ip ?? '0.0.0.0';
  const parts = String(port)
    .replace(/\/\w+$/, '')
    .split(':');
  // Without a host part Docker publishes on every interface; an IPv6 host is [::1]:published:target.
  return parts.length > 2
    ? parts
        .slice(0, -2)
        .join(':')
        .replace(/^\[(.*)\]$/, '$1')
    : '0.0.0.0';
};
const LOOPBACK = new Set(['127.0.0.1', '::1']);

/** The login role of a service's DATABASE_URL. */
const databaseUser = (service: ComposeService | undefined) =>
  /^postgres(?:ql)?:\/\/([^:@/]+)[:@]/.exec(environmentOf(service ?? {}).DATABASE_URL ?? '')?.[1];

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
  for (const port of service.ports) {
    const spelled = typeof port === 'object' ? JSON.stringify(port) : String(port);
    if (!PUBLIC_PORTS.has(`${name}:${spelled}`) && !LOOPBACK.has(hostAddressOf(port)))
      problems.push(`${name}: publishes ${spelled} on ${hostAddressOf(port)}; bind it to 127.0.0.1`);
  }
}

// The observability profile: pinned images, started only when asked for, every app scraped.
for (const name of OBSERVABILITY) {
  const service = services[name];
  if (!service) {
    problems.push(`${name}: no such service (the observability profile)`);
    continue;
  }
  if (!/:v?\d+(\.\d+)+$/.test(service.image ?? ''))
    problems.push(`${name}: image ${service.image} is not pinned to a version`);
  if (!(service.profiles ?? []).includes('observability'))
    problems.push(`${name}: not in the observability profile, so a plain 'docker compose up' starts it`);
}
const scrapeJobs =
  (
    parse(readFileSync(join(root, 'infra/observability/prometheus.yml'), 'utf8')) as {
      scrape_configs?: { job_name: string; metrics_path?: string; static_configs?: { targets?: string[] }[] }[];
    }
  ).scrape_configs ?? [];
for (const app of SERVICE_NAMES) {
  const path = `/${SERVICES[app].prefix}/metrics`;
  const target = `${app}:${SERVICES[app].port}`;
  const scraped = scrapeJobs.some(
    (job) => job.metrics_path === path && (job.static_configs ?? []).some((c) => (c.targets ?? []).includes(target)),
  );
  if (!scraped) problems.push(`prometheus: infra/observability/prometheus.yml does not scrape ${target}${path}`);
}

/**
 * Whether a Traefik router rule matches `path`: Path, PathPrefix and PathRegexp matchers with `!`,
 * `&&`, `||` and parentheses. A rule with any other matcher is reported and matches nothing.
 */
const ruleMatches = (rule: string, path: string): boolean => {
  const tokens: string[] = [];
  const token = /\s*(&&|\|\||!|\(|\)|\w+\(`[^`]*`\))\s*/y;
  for (let match; token.lastIndex < rule.length && (match = token.exec(rule));) tokens.push(match[1]!);
  if (token.lastIndex < rule.length || tokens.length === 0) {
    problems.push(`a router rule this check cannot read: ${rule}`);
    return false;
  }
  let at = 0;
  const matcher = (text: string): boolean => {
    const [, name, raw] = /^(\w+)\(`([^`]*)`\)$/.exec(text) ?? [];
    // Compose reads `$$` as `$`; Go's leading (?i) is JavaScript's i flag.
    const value = (raw ?? '').replaceAll('$$', '$');
    if (name === 'Path') return value === path;
    if (name === 'PathPrefix') return path.startsWith(value);
    if (name === 'PathRegexp') {
      const insensitive = value.startsWith('(?i)');
      return new RegExp(insensitive ? value.slice(4) : value, insensitive ? 'i' : '').test(path);
    }
    problems.push(`a router rule with a matcher this check cannot evaluate: ${text}`);
    return false;
  };
  const unary = (): boolean => {
    const next = tokens[at++];
    if (next === '!') return !unary();
    if (next === '(') {
      const value = or();
      at++; // ')'
      return value;
    }
    return matcher(next ?? '');
  };
  const and = (): boolean => {
    let value = unary();
    while (tokens[at] === '&&') {
      at++;
      value = unary() && value;
    }
    return value;
  };
  const or = (): boolean => {
    let value = and();
    while (tokens[at] === '||') {
      at++;
      value = and() || value;
    }
    return value;
  };
  return or();
};
const routerRules = Object.values(services).flatMap((service) =>
  Object.entries(labelsOf(service))
    .filter(([key]) => /^traefik\.http\.routers\.[^.]+\.rule$/.test(key))
    .map(([, rule]) => rule),
);

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
  else if (!routerRules.some((rule) => ruleMatches(rule, `${prefix}/some/route`)))
    problems.push(`${app}: no Traefik router matches ${prefix}/some/route`);
  // Metrics are for the scraper on the compose network: no router of any service may reach them,
  // in any spelling Express routes to them (without case, with trailing or doubled slashes).
  const metricsSpellings = ['metrics', 'metrics/', 'metrics//', '/metrics', 'METRICS', 'Metrics/'];
  const exposed = metricsSpellings
    .map((s) => `${prefix}/${s}`)
    .filter((path) => routerRules.some((rule) => ruleMatches(rule, path)));
  if (exposed.length) problems.push(`${app}: Traefik routes ${exposed.join(', ')} (metrics must not be public)`);
  // The OpenAPI document and its reference UI are public through the gateway, as the API is.
  const unrouted = ['openapi.json', 'docs', 'docs/api-reference.js']
    .map((s) => `${prefix}/${s}`)
    .filter((path) => !routerRules.some((rule) => ruleMatches(rule, path)));
  if (unrouted.length) problems.push(`${app}: Traefik does not route ${unrouted.join(', ')}`);
  if (labels[`traefik.http.services.${app}.loadbalancer.server.port`] !== String(SERVICES[app].port))
    problems.push(`${app}: Traefik does not forward to port ${SERVICES[app].port}`);
  // Routed by readiness (the database), never by /health: a broker outage must not take the API away.
  if (labels[`traefik.http.services.${app}.loadbalancer.healthcheck.path`] !== `${prefix}/health/ready`)
    problems.push(`${app}: Traefik does not health-check ${prefix}/health/ready`);
  if (service.depends_on?.[`${app}-migrate`]?.condition !== 'service_completed_successfully')
    problems.push(`${app}: does not wait for ${app}-migrate`);
  // The app connects as its runtime role (rows only, no DDL); only its migration as the schema's owner.
  const { schema } = SERVICES[app];
  if (databaseUser(service) !== `${schema}_app`)
    problems.push(`${app}: DATABASE_URL does not connect as ${schema}_app`);
  if (databaseUser(services[`${app}-migrate`]) !== `${schema}_migrator`)
    problems.push(`${app}-migrate: DATABASE_URL does not connect as ${schema}_migrator, the schema's owner`);
  if (service.depends_on?.kafka?.condition !== 'service_healthy')
    problems.push(`${app}: does not wait for a healthy Kafka`);
  if (!service.restart) problems.push(`${app}: no restart policy`);
  // The defaults are development values: production must be asked for, never the default.
  if (withDefaults(environmentOf(service).NODE_ENV ?? 'production') === 'production')
    problems.push(`${app}: runs with NODE_ENV=production when nothing is set (the image's default)`);
}
// Traefik's limit on login and register must cover every path Express routes there: Express
// matches without case and takes a trailing slash, so a `Path` of the exact spelling is bypassed.
const authLabels = labelsOf(services.auth ?? {});
for (const route of ['login', 'register']) {
  const limitedRules = Object.entries(authLabels)
    .filter(([key]) => /^traefik\.http\.routers\.[^.]+\.rule$/.test(key))
    .filter(([key]) =>
      (authLabels[key.replace(/\.rule$/, '.middlewares')] ?? '')
        .split(',')
        .some((m) => authLabels[`traefik.http.middlewares.${m.trim()}.ratelimit.average`] !== undefined),
    )
    .map(([, rule]) => rule);
  const capitalised = route[0]!.toUpperCase() + route.slice(1);
  const spellings = [route, `${route}/`, `${route}//`, route.toUpperCase(), `${capitalised}/`];
  const missed = spellings
    .map((s) => `/api/auth/${s}`)
    .filter((path) => !limitedRules.some((r) => ruleMatches(r, path)));
  if (missed.length) problems.push(`auth: no rate-limited Traefik router matches ${missed.join(', ')}`);
}

// Traefik faces the network: it reads Docker through the read-only socket proxy, never the socket.
const SOCKET_PROXY = 'docker-socket-proxy';
const mountsDockerSocket = (service: ComposeService) =>
  (service.volumes ?? []).map(String).some((v) => v.split(':')[0]!.endsWith('docker.sock'));
for (const [name, service] of Object.entries(services)) {
  if (name !== SOCKET_PROXY && mountsDockerSocket(service))
    problems.push(`${name}: mounts the Docker socket; only ${SOCKET_PROXY} may, and Traefik reads Docker through it`);
}
const socketProxy = services[SOCKET_PROXY];
if (!socketProxy) problems.push(`${SOCKET_PROXY}: no such service (Traefik must read Docker through it)`);
else {
  const proxyEnv = environmentOf(socketProxy);
  if (!/^tecnativa\/docker-socket-proxy:v?\d/.test(socketProxy.image ?? ''))
    problems.push(`${SOCKET_PROXY}: image ${socketProxy.image} is not a pinned tecnativa/docker-socket-proxy`);
  if (!(socketProxy.volumes ?? []).map(String).some((v) => v.endsWith('docker.sock:ro')))
    problems.push(`${SOCKET_PROXY}: does not mount the Docker socket read-only`);
  // Read-only: any write (POST, DELETE) refused, and no section that manages or execs.
  if ((proxyEnv.POST ?? '0') !== '0') problems.push(`${SOCKET_PROXY}: allows POST`);
  for (const section of ['EXEC', 'IMAGES', 'VOLUMES', 'SECRETS', 'AUTH', 'BUILD', 'COMMIT', 'SYSTEM', 'SERVICES'])
    if ((proxyEnv[section] ?? '0') !== '0') problems.push(`${SOCKET_PROXY}: allows ${section}`);
  if (socketProxy.ports?.length) problems.push(`${SOCKET_PROXY}: publishes ports`);
  const proxyNetworks = socketProxy.networks ?? ['default'];
  const networks = compose.networks ?? {};
  if (proxyNetworks.some((n) => networks[n]?.internal !== true))
    problems.push(`${SOCKET_PROXY}: on a network that is not internal: ${proxyNetworks.join(', ')}`);
}
const traefikCommand = (services.traefik?.command ?? []).map(String);
if (!traefikCommand.includes(`--providers.docker.endpoint=tcp://${SOCKET_PROXY}:2375`))
  problems.push(`traefik: does not read Docker through ${SOCKET_PROXY} (--providers.docker.endpoint)`);

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
    ` (UIs on 127.0.0.1); ${defaults.size} variables, each with one development default; auth reads auth-keygen's key;` +
    ` login and register rate-limited in every spelling; no app's /metrics routed; Traefik reads Docker through ${SOCKET_PROXY};` +
    ` ${OBSERVABILITY.join(', ')} pinned, in the observability profile, every app scraped`,
);
