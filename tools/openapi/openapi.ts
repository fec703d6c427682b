// Writes each app's OpenAPI document to dist/openapi/<app>.json and lints them with Redocly
// (redocly.yaml):  npm run docs:openapi
// The documents are built from the apps' specs (their route tables), as the apps serve them,
// without starting an app: nothing listens and nothing connects. This project imports the apps as
// the end-to-end tests do, hence its type:e2e tag.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { authApp } from '@commerce/auth-app';
import { inventoryApp } from '@commerce/inventory-app';
import { notificationApp } from '@commerce/notification-app';
import { orderApp } from '@commerce/order-app';
import { paymentApp } from '@commerce/payment-app';
import { buildOpenApiDocument } from '@commerce/platform';

const root = join(import.meta.dirname, '../..');
const outDir = join(root, 'dist/openapi');
mkdirSync(outDir, { recursive: true });

const files = [authApp, orderApp, paymentApp, inventoryApp, notificationApp].map((spec) => {
  const file = join(outDir, `${spec.service}.json`);
  writeFileSync(file, `${JSON.stringify(buildOpenApiDocument(spec), null, 2)}\n`);
  console.log(`wrote ${file}`);
  return file;
});

// Redocly from node_modules, offline: no telemetry, no update check.
const lint = spawnSync(
  join(root, 'node_modules/.bin/redocly'),
  ['lint', '--config', join(root, 'redocly.yaml'), ...files],
  {
    stdio: 'inherit',
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  },
);
process.exit(lint.status ?? 1);
