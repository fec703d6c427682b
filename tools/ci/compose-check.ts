// Checks docker-compose.yml against CONTRACT.md: Traefik routes every app prefix to its app by
// Docker labels, and only Traefik and the UIs publish ports. Exits 1 naming what is wrong.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SERVICE_NAMES, SERVICES } from '../../libs/contracts/src/services.ts';

interface ComposeService {
  image?: string;
  ports?: unknown[];
  labels?: string[] | Record<string, string>;
  healthcheck?: unknown;
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
}

const root = join(import.meta.dirname, '../..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const PUBLISHERS = new Set(['traefik', 'mailpit', 'kafka-ui']);
const problems: string[] = [];

const labelsOf = (service: ComposeService): Record<string, string> =>
  Array.isArray(service.labels)
    ? Object.fromEntries(service.labels.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
    : (service.labels ?? {});

if (!/^traefik:v3/.test(compose.services.traefik?.image ?? '')) problems.push('traefik: not a Traefik v3 image');

for (const [name, service] of Object.entries(compose.services)) {
  if (service.ports?.length && !PUBLISHERS.has(name))
    problems.push(`${name}: publishes ports ${JSON.stringify(service.ports)}`);
}

for (const app of SERVICE_NAMES) {
  const service = compose.services[app];
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
  if (service.depends_on?.[`${app}-migrate`]?.condition !== 'service_completed_successfully')
    problems.push(`${app}: does not wait for ${app}-migrate`);
  if (service.depends_on?.kafka?.condition !== 'service_healthy')
    problems.push(`${app}: does not wait for a healthy Kafka`);
  if (!service.restart) problems.push(`${app}: no restart policy`);
}
const loginLimited = Object.entries(labelsOf(compose.services.auth ?? {})).some(
  ([key, value]) => key.endsWith('.rule') && value.includes('/api/auth/login'),
);
if (!loginLimited) problems.push('auth: no rate-limited router for /api/auth/login');

if (problems.length) {
  for (const p of problems) console.error(`[compose-check] ${p}`);
  process.exit(1);
}
console.log(
  `[compose-check] ${SERVICE_NAMES.length} prefixes routed by Traefik; ports published only by ${[...PUBLISHERS].join(', ')}`,
);
