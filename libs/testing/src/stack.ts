import { type ServiceName, SERVICES } from '@commerce/contracts';
import { type AppSpec, type BaseConfig } from '@commerce/platform';
import { startTestApp, type TestApp } from './app.ts';
import { createTestDatabase, type TestDatabase, uniqueId } from './database.ts';
import { freePort } from './kafka.ts';
import { waitFor } from './wait.ts';

/** Several apps started together for an end-to-end test: one database, one topic prefix. */
export interface TestStack {
  apps: Partial<Record<ServiceName, TestApp>>;
  database: TestDatabase;
  /** The topic and consumer-group prefix the apps share. */
  prefix: string;
  /** Base URL of an app, e.g. http://127.0.0.1:41234/api/orders. */
  url(service: ServiceName): string;
  close(): Promise<void>;
}

/**
 * Starts the given apps against the test infra as the stack runs them — each on its own schema and
 * role in one database, all on one topic prefix — and waits until every one is ready.
 */
export async function startTestStack(
  specs: Partial<Record<ServiceName, AppSpec<BaseConfig>>>,
  env: Record<string, string> = {},
): Promise<TestStack> {
  // auth first: the others verify tokens against its JWKS, on a port known once it listens.
  const services = (Object.keys(specs) as ServiceName[]).sort((a, b) => Number(b === 'auth') - Number(a === 'auth'));
  const database = await createTestDatabase(services);
  const prefix = `${uniqueId()}.`;
  const apps: Partial<Record<ServiceName, TestApp>> = {};
  try {
    // auth reads its own JWKS too, as in compose: its health routes check an admin's token with it.
    const authPort = await freePort();
    let jwks: Record<string, string> = {
      AUTH_JWKS_URL: `http://127.0.0.1:${authPort}/${SERVICES.auth.prefix}/.well-known/jwks.json`,
    };
    for (const service of services) {
      apps[service] = await startTestApp(
        specs[service]!,
        {
          // Every customer a test registers comes from this machine's one address.
          REGISTER_MAX_PER_ADDRESS: '100000',
          ...env,
          ...jwks,
          DATABASE_URL: database.urlFor(service),
          KAFKA_TOPIC_PREFIX: prefix,
        },
        service === 'auth' ? { port: authPort } : {},
      );
      if (service === 'auth') jwks = { AUTH_JWKS_URL: `${apps.auth!.baseUrl}/.well-known/jwks.json` };
    }
    await Promise.all(
      services.map((service) =>
        // Every component up (topics created, relay running, consumer joined), not only ready for HTTP.
        waitFor(async () => (await fetch(`${apps[service]!.baseUrl}/health`)).status === 200, {
          timeoutMs: 60_000,
          what: `${service} to be up`,
        }),
      ),
    );
  } catch (error) {
    await Promise.all(Object.values(apps).map((app) => app.close()));
    await database.drop();
    throw error;
  }
  return {
    apps,
    database,
    prefix,
    url: (service) => {
      const app = apps[service];
      if (!app) throw new Error(`${service} is not part of this stack`);
      return app.baseUrl;
    },
    close: async () => {
      await Promise.all(Object.values(apps).map((app) => app.close()));
      await database.drop();
    },
  };
}
