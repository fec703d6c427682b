import { ConfigError } from '@commerce/platform';
import { createTestDatabase, startTestApp, type TestDatabase } from '@commerce/testing';
import { exportPKCS8, generateKeyPair } from 'jose';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authApp } from '../src/app.ts';

/** Starts auth with `env`; the ConfigError it refuses to start with, or undefined when it started. */
async function refusal(env: Record<string, string>): Promise<ConfigError | undefined> {
  try {
    const started = await startTestApp(authApp, env);
    await started.close();
    return undefined;
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}

describe('auth with NODE_ENV=production', () => {
  let db: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase(['auth']);
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    env = {
      NODE_ENV: 'production',
      DATABASE_URL: db.urlFor('auth'),
      AUTH_SIGNING_KEY: await exportPKCS8(privateKey),
      ADMIN_EMAIL: 'admin@example.com',
      ADMIN_PASSWORD: 'a real admin password',
    };
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("refuses to start on .env.example's dev-only admin password, naming ADMIN_PASSWORD", async () => {
    const error = await refusal({ ...env, ADMIN_PASSWORD: 'dev-only-admin-password' });
    expect(error?.problems.map((p) => p.variable)).toEqual(['ADMIN_PASSWORD']);
    expect(error?.message).toContain('ADMIN_PASSWORD: still the development placeholder');
  });

  it('refuses to start on a dev-only database password, naming DATABASE_URL', async () => {
    const url = new URL(db.urlFor('auth'));
    url.password = 'dev-only-auth-db';
    const error = await refusal({ ...env, DATABASE_URL: url.toString() });
    expect(error?.problems.map((p) => p.variable)).toEqual(['DATABASE_URL']);
  });

  it('refuses to start without a signing key, naming AUTH_SIGNING_KEY', async () => {
    const { AUTH_SIGNING_KEY: _, ...withoutKey } = env;
    const error = await refusal({ ...withoutKey, AUTH_SIGNING_KEY_FILE: join(tmpdir(), `no-key-${process.pid}.pem`) });
    expect(error?.problems.map((p) => p.variable)).toEqual(['AUTH_SIGNING_KEY']);
  });

  it('starts with real values', async () => {
    expect(await refusal(env)).toBeUndefined();
  });
});
