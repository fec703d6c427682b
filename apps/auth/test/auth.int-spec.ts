import {
  adminQuery,
  createTestDatabase,
  createTopics,
  startTestApp,
  type TestApp,
  type TestDatabase,
  testKafka,
  TopicReader,
  uniqueId,
  waitFor,
} from '@commerce/testing';
import { createLocalJWKSet, decodeJwt, exportPKCS8, generateKeyPair, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authApp } from '../src/app.ts';

const ADMIN_EMAIL = 'admin@example.com';
const ADMIN_PASSWORD = 'admin-password-1';

describe('auth', () => {
  let db: TestDatabase;
  let app: TestApp;
  let prefix: string;
  let env: Record<string, string>;
  let userCreated: TopicReader;
  let address = 0;
  let signingKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

  const count = async (sql: string, values: unknown[] = []) =>
    Number((await adminQuery<{ n: string }>(db, `SELECT count(*) AS n FROM ${sql}`, values))[0]!.n);
  // Refresh tokens are stored as their SHA-256.
  const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');
  const userCreatedFor = (userId: string) =>
    userCreated.waitFor(1, { filter: (m) => JSON.parse(m.value!).aggregateId === userId });
  const sign = (payload: JWTPayload, key: typeof signingKey, kid: string, expiresAt: number) =>
    new SignJWT(payload)
      .setProtectedHeader({ alg: 'EdDSA', kid })
      .setIssuer('commerce-auth')
      .setAudience('commerce')
      .setExpirationTime(expiresAt)
      .sign(key);

  // Each test speaks from its own client address (through the trusted X-Forwarded-For).
  const from = () => `203.0.113.${++address}`;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}, baseUrl = app.baseUrl) =>
    fetch(`${baseUrl}/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': headers.ip ?? from(), ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const get = (path: string, token?: string) =>
    fetch(`${app.baseUrl}/${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const register = async (overrides: Record<string, string> = {}) => {
    const body = {
      email: `${uniqueId('u')}@example.com`,
      password: 'correct horse battery',
      name: 'Ada',
      ...overrides,
    };
    const response = await post('register', body);
    return { response, body, user: (await response.json()) as { id: string; email: string; name: string } };
  };
  const login = async (email: string, password: string, ip?: string, baseUrl?: string) =>
    post('login', { email, password }, ip ? { ip } : {}, baseUrl);
  const refreshTokenOf = async (response: Response) =>
    ((await response.json()) as { refreshToken: string }).refreshToken;

  beforeAll(async () => {
    db = await createTestDatabase(['auth']);
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    signingKey = privateKey;
    prefix = `${uniqueId()}.`;
    env = {
      DATABASE_URL: db.urlFor('auth'),
      KAFKA_TOPIC_PREFIX: prefix,
      AUTH_SIGNING_KEY: await exportPKCS8(privateKey),
      ADMIN_EMAIL,
      ADMIN_PASSWORD,
      LOGIN_MAX_FAILURES_PER_EMAIL: '3',
      LOGIN_MAX_FAILURES_PER_ADDRESS: '6',
      LOGIN_MAX_FAILURES_PER_EMAIL_GLOBAL: '8',
      REGISTER_MAX_PER_ADDRESS: '3',
    };
    // The topic exists with its leaders before anyone reads it (the app would create it too).
    await createTopics(testKafka(), [`${prefix}user.created`]);
    userCreated = await new TopicReader(testKafka(), [`${prefix}user.created`]).start();
    app = await startTestApp(authApp, env);
  });
  afterAll(async () => {
    await userCreated?.stop();
    await app?.close();
    await db?.drop();
  });

  describe('register', () => {
    it('creates a customer (201) and publishes user.created with its id, email and name', async () => {
      const { response, body, user } = await register({ email: `  ${uniqueId('Mixed')}@Example.COM ` });
      expect(response.status).toBe(201);
      expect(user).toEqual({ id: expect.any(String), email: body.email.trim().toLowerCase(), name: 'Ada' });
      const [message] = await userCreatedFor(user.id);
      expect(message!.key).toBe(user.id);
      expect(JSON.parse(message!.value!).data).toEqual({ userId: user.id, email: user.email, name: 'Ada' });
    });

    it('answers 409 when the email is taken, whatever its case', async () => {
      const { body } = await register();
      expect((await post('register', { ...body, email: body.email.toUpperCase() })).status).toBe(409);
    });

    it('refuses bad input with 422 naming the field, and stores nothing', async () => {
      const cases: Array<[unknown, string]> = [
        [{ email: 'a@example.com', password: 'short', name: 'A' }, 'password'],
        [{ email: "x' OR '1'='1", password: 'long enough pass', name: 'A' }, 'email'],
        [{ email: 'a@example.com', password: 'long enough pass' }, 'name'],
        [{ email: 'a@example.com', password: 'long enough pass', name: 'A', roles: ['admin'] }, '(body)'],
        [{ email: 'a@example.com', password: 'long enough pass', name: 'a\u0000b' }, 'name'],
      ];
      for (const [body, field] of cases) {
        const response = await post('register', body);
        expect(response.status).toBe(422);
        expect(response.headers.get('content-type')).toContain('application/problem+json');
        const problem = (await response.json()) as { errors: Array<{ field: string }> };
        expect(problem.errors.map((e) => e.field)).toContain(field);
      }
      expect(await count(`auth.users WHERE email = 'a@example.com'`)).toBe(0);
    });

    it('stores a SQL-looking name as text, changing nothing else', async () => {
      const name = "Robert'); DROP TABLE users;--";
      const { response, user } = await register({ name });
      expect(response.status).toBe(201);
      expect(user.name).toBe(name);
      expect(await count('auth.users WHERE name = $1', [name])).toBe(1);
    });

    it('limits registrations per client address: 429 with Retry-After past REGISTER_MAX_PER_ADDRESS, storing nothing', async () => {
      const ip = from();
      const attempt = (email: string) =>
        post('register', { email, password: 'correct horse battery', name: 'Ada' }, { ip });
      const taken = (await register()).body.email;
      // Every attempt counts, a taken email's too.
      const statuses = [];
      for (const email of [`${uniqueId('r')}@example.com`, taken, `${uniqueId('r')}@example.com`]) {
        statuses.push((await attempt(email)).status);
      }
      expect(statuses).toEqual([201, 409, 201]);
      const refusedEmail = `${uniqueId('refused')}@example.com`;
      const refused = await attempt(refusedEmail);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      // What is left of the window (REGISTER_WINDOW_SECONDS, an hour by default).
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3500);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(3600);
      expect(await count('auth.users WHERE email = $1', [refusedEmail])).toBe(0);
      expect(await count(`auth.outbox WHERE payload::text LIKE '%' || $1 || '%'`, [refusedEmail])).toBe(0);
      // Another address goes on.
      expect(
        (await post('register', { email: refusedEmail, password: 'correct horse battery', name: 'Ada' })).status,
      ).toBe(201);
    });

    it('refuses malformed JSON (400) and bodies over the limit (413)', async () => {
      expect((await post('register', '{"email":')).status).toBe(400);
      const big = await post('register', { email: 'big@example.com', password: 'x'.repeat(200_000), name: 'Big' });
      expect(big.status).toBe(413);
    });
  });

  describe('tokens', () => {
    it('logs in with an EdDSA access token that verifies against the JWKS', async () => {
      const { body, user } = await register();
      const response = await login(body.email, body.password);
      expect(response.status).toBe(200);
      const pair = (await response.json()) as {
        accessToken: string;
        refreshToken: string;
        tokenType: string;
        expiresIn: number;
      };
      expect(pair).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
      const jwks = (await (await get('.well-known/jwks.json')).json()) as {
        keys: Array<{ kid: string; alg: string; d?: string }>;
      };
      expect(jwks.keys).toHaveLength(1);
      expect(jwks.keys[0]).toMatchObject({ alg: 'EdDSA', kty: 'OKP', crv: 'Ed25519' });
      expect(jwks.keys[0]!.d).toBeUndefined();
      const { payload, protectedHeader } = await jwtVerify(pair.accessToken, createLocalJWKSet(jwks as never), {
        issuer: 'commerce-auth',
        audience: 'commerce',
      });
      expect(protectedHeader.kid).toBe(jwks.keys[0]!.kid);
      expect(payload).toMatchObject({ sub: user.id, roles: ['customer'] });
    });

    it('answers 401 with one message for a wrong password and for an unknown email', async () => {
      const { body } = await register();
      const wrongPassword = await login(body.email, 'not the password');
      const unknownEmail = await login(`${uniqueId('nobody')}@example.com`, body.password);
      expect([wrongPassword.status, unknownEmail.status]).toEqual([401, 401]);
      expect(((await wrongPassword.json()) as { detail: string }).detail).toBe(
        ((await unknownEmail.json()) as { detail: string }).detail,
      );
    });

    it('serves me, and verify with the caller in headers; 401 without, with a forged or an expired token', async () => {
      const { body, user } = await register();
      const { accessToken } = (await (await login(body.email, body.password)).json()) as { accessToken: string };
      expect(await (await get('me', accessToken)).json()).toEqual({ ...user, roles: ['customer'] });
      const verified = await get('verify', accessToken);
      expect(verified.status).toBe(200);
      expect(verified.headers.get('x-user-id')).toBe(user.id);
      expect(verified.headers.get('x-user-roles')).toBe('customer');

      const [header] = accessToken.split('.');
      const { kid } = JSON.parse(Buffer.from(header!, 'base64url').toString()) as { kid: string };
      const now = Math.floor(Date.now() / 1000);
      const claims = { sub: user.id, roles: ['admin'] };
      const forged = await sign(
        claims,
        (await generateKeyPair('EdDSA', { crv: 'Ed25519' })).privateKey,
        kid,
        now + 300,
      );
      const expired = await sign(claims, signingKey, kid, now - 5);
      const wellSigned = await sign(claims, signingKey, kid, now + 300);
      expect((await get('me', wellSigned)).status).toBe(200);
      for (const token of [undefined, forged, expired, 'abc.def.ghi']) {
        expect((await get('me', token)).status).toBe(401);
        expect((await get('verify', token)).status).toBe(401);
      }
    });

    it('rotates refresh tokens, and a reused one revokes its whole family', async () => {
      const { body, user } = await register();
      const first = (await (await login(body.email, body.password)).json()) as { refreshToken: string };
      const refreshed = await post('refresh', { refreshToken: first.refreshToken });
      expect(refreshed.status).toBe(200);
      const second = (await refreshed.json()) as { refreshToken: string; accessToken: string; expiresIn: number };
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect(second.expiresIn).toBe(900);
      expect(decodeJwt(second.accessToken)).toMatchObject({ sub: user.id, email: user.email, roles: ['customer'] });

      // The first token again: a thief or a replay. The family dies, including the newest token.
      const reuse = await post('refresh', { refreshToken: first.refreshToken });
      expect(reuse.status).toBe(401);
      expect((await post('refresh', { refreshToken: second.refreshToken })).status).toBe(401);

      // Another login is another family, untouched.
      const other = (await (await login(body.email, body.password)).json()) as { refreshToken: string };
      expect((await post('refresh', { refreshToken: other.refreshToken })).status).toBe(200);
    });

    it('leaves no live token in a family whose reuse races with a rotation', async () => {
      const { body } = await register();
      for (let round = 0; round < 5; round++) {
        const { refreshToken: first } = (await (await login(body.email, body.password)).json()) as {
          refreshToken: string;
        };
        const { refreshToken: second } = (await (await post('refresh', { refreshToken: first })).json()) as {
          refreshToken: string;
        };
        // The stolen first token comes back while the owner rotates the second.
        const [reuse, rotated] = await Promise.all([
          post('refresh', { refreshToken: first }),
          post('refresh', { refreshToken: second }),
        ]);
        expect(reuse.status).toBe(401);
        // The two take turns on the family's lock, in either order: the rotation went first exactly
        // when it spent the second token (and got a third, which the reuse then revoked).
        const [{ spent }] = (await adminQuery<{ spent: boolean }>(
          db,
          'SELECT used_at IS NOT NULL AS spent FROM auth.refresh_tokens WHERE token_hash = $1',
          [tokenHash(second)],
        )) as [{ spent: boolean }];
        expect(rotated.status).toBe(spent ? 200 : 401);
        // Whichever went first, the newest token the owner holds is refused now.
        const newest = spent ? await refreshTokenOf(rotated) : second;
        expect((await post('refresh', { refreshToken: newest })).status).toBe(401);
        const live = await count(
          `auth.refresh_tokens t JOIN auth.users u ON u.id = t.user_id
           WHERE u.email = $1 AND t.revoked_at IS NULL AND t.used_at IS NULL`,
          [body.email],
        );
        expect(live).toBe(0);
      }
    });

    it('spends a refresh token once when two requests race with it', async () => {
      const { body } = await register();
      const { refreshToken } = (await (await login(body.email, body.password)).json()) as { refreshToken: string };
      const statuses = (await Promise.all([1, 2, 3].map(() => post('refresh', { refreshToken })))).map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    });

    it('issues refresh tokens for REFRESH_TOKEN_TTL_DAYS, and refuses an expired one (401)', async () => {
      const { body } = await register();
      const expiring = await refreshTokenOf(await login(body.email, body.password));
      const fresh = await refreshTokenOf(await login(body.email, body.password));
      const [{ seconds }] = (await adminQuery<{ seconds: string }>(
        db,
        'SELECT extract(epoch FROM expires_at - created_at) AS seconds FROM auth.refresh_tokens WHERE token_hash = $1',
        [tokenHash(fresh)],
      )) as [{ seconds: string }];
      expect(Math.abs(Number(seconds) - 30 * 86_400)).toBeLessThan(5);

      // A lifetime is at least a day (REFRESH_TOKEN_TTL_DAYS), so the test moves one token's end to the past.
      await adminQuery(
        db,
        `UPDATE auth.refresh_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = $1`,
        [tokenHash(expiring)],
      );
      const expired = await post('refresh', { refreshToken: expiring });
      expect(expired.status).toBe(401);
      expect(((await expired.json()) as { detail: string }).detail).toBe('The refresh token is not valid.');
      expect((await post('refresh', { refreshToken: fresh })).status).toBe(200);
    });

    it('logs out (204): the refresh token no longer works', async () => {
      const { body } = await register();
      const { refreshToken } = (await (await login(body.email, body.password)).json()) as { refreshToken: string };
      expect((await post('logout', { refreshToken })).status).toBe(204);
      expect((await post('refresh', { refreshToken })).status).toBe(401);
      expect((await post('logout', { refreshToken: 'unknown' })).status).toBe(204);
      expect((await post('logout', {})).status).toBe(422);
    });
  });

  describe('signing key rotation', () => {
    const newPem = async () =>
      exportPKCS8((await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })).privateKey);
    const jwksOf = async (baseUrl: string) =>
      (await (await fetch(`${baseUrl}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
    const kidOf = (token: string) =>
      (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
    const accessToken = async (response: Response) => ((await response.json()) as { accessToken: string }).accessToken;

    it('keeps tokens of the previous key valid, signs with the new one, and refuses a rotated-out key', async () => {
      const { body } = await register();
      const oldKid = (await jwksOf(app.baseUrl)).keys[0]!.kid;
      const beforeRotation = await accessToken(await login(body.email, body.password));
      expect(kidOf(beforeRotation)).toBe(oldKid);

      // The first rotation: a new key signs, the old one (as a file, as compose keeps it) still verifies.
      const previousFile = join(mkdtempSync(join(tmpdir(), 'auth-keys-')), 'previous.pem');
      writeFileSync(previousFile, env.AUTH_SIGNING_KEY!);
      const rotated = await startTestApp(authApp, {
        ...env,
        AUTH_SIGNING_KEY: await newPem(),
        AUTH_PREVIOUS_SIGNING_KEY_FILE: previousFile,
      });
      try {
        const jwks = await jwksOf(rotated.baseUrl);
        expect(jwks.keys.map((k) => k.kid)).toEqual([expect.any(String), oldKid]);
        const newKid = jwks.keys[0]!.kid;
        expect(newKid).not.toBe(oldKid);
        const me = await fetch(`${rotated.baseUrl}/me`, { headers: { authorization: `Bearer ${beforeRotation}` } });
        expect(me.status).toBe(200);
        // What another app does: verify against the published JWKS.
        await jwtVerify(beforeRotation, createLocalJWKSet(jwks as never), {
          issuer: 'commerce-auth',
          audience: 'commerce',
        });
        const afterRotation = await accessToken(await login(body.email, body.password, undefined, rotated.baseUrl));
        expect(kidOf(afterRotation)).toBe(newKid);
      } finally {
        await rotated.close();
      }

      // A second rotation: the first key is gone from the JWKS, and its tokens are refused.
      const again = await startTestApp(authApp, {
        ...env,
        AUTH_SIGNING_KEY: await newPem(),
        AUTH_PREVIOUS_SIGNING_KEY: await newPem(),
      });
      try {
        expect((await jwksOf(again.baseUrl)).keys.map((k) => k.kid)).not.toContain(oldKid);
        const me = await fetch(`${again.baseUrl}/me`, { headers: { authorization: `Bearer ${beforeRotation}` } });
        expect(me.status).toBe(401);
      } finally {
        await again.close();
      }
    });
  });

  describe('login throttling', () => {
    it('blocks an email from an address after repeated failures with 429 and Retry-After, even with the right password', async () => {
      const { body } = await register();
      const ip = from();
      const responses = [];
      for (let i = 0; i < 4; i++) responses.push(await login(body.email, 'wrong password', ip));
      expect(responses.map((r) => r.status)).toEqual([401, 401, 401, 429]);
      // The attempt that blocks the email is told the whole LOGIN_LOCKOUT_SECONDS (900 by default).
      expect(responses[3]!.headers.get('retry-after')).toBe('900');
      const blocked = await login(body.email, body.password, ip);
      expect(blocked.status).toBe(429);
      // What is left of the lockout, counted down in whole seconds.
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(890);
      expect(Number(blocked.headers.get('retry-after'))).toBeLessThanOrEqual(900);
      expect(blocked.headers.get('content-type')).toContain('application/problem+json');
      // The lockout is of that address: someone else's failures do not lock the owner out.
      expect((await login(body.email, body.password, from())).status).toBe(200);
    });

    it('blocks an email tried from many addresses past its ceiling, except where it has logged in', async () => {
      const { body } = await register();
      const home = from();
      expect((await login(body.email, body.password, home)).status).toBe(200);
      const statuses = [];
      for (let i = 0; i < 9; i++) statuses.push((await login(body.email, 'wrong password', from())).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 401, 401, 429]);
      expect((await login(body.email, body.password, from())).status).toBe(429);
      expect((await login(body.email, body.password, home)).status).toBe(200);
    });

    it('is reached in any case and with a trailing slash (the spellings compose-check holds the gateway limit to)', async () => {
      const { body } = await register();
      const ip = from();
      for (const path of ['login/', 'LOGIN', 'Login/']) {
        const response = await post(path, { email: body.email, password: 'wrong password' }, { ip });
        expect({ path, status: response.status }).toEqual({ path, status: 401 });
      }
      // Each was a counted login attempt: the fourth failure from this address is past the limit of 3.
      expect((await post('login', { email: body.email, password: 'wrong password' }, { ip })).status).toBe(429);
      for (const path of ['register/', 'REGISTER']) {
        const response = await post(path, {
          email: `${uniqueId('s')}@example.com`,
          password: 'correct horse battery',
          name: 'A',
        });
        expect({ path, status: response.status }).toEqual({ path, status: 201 });
      }
    });

    it('blocks a client address that fails across many emails; other addresses go on', async () => {
      const ip = from();
      const { body } = await register();
      for (let i = 0; i < 6; i++) {
        expect((await login(`${uniqueId('guess')}@example.com`, 'wrong password', ip)).status).toBe(401);
      }
      expect((await login(`${uniqueId('guess')}@example.com`, 'wrong password', ip)).status).toBe(429);
      expect((await login(body.email, body.password, ip)).status).toBe(429);
      expect((await login(body.email, body.password, from())).status).toBe(200);
    });

    it('verifies no more passwords than the limit when many attempts arrive at once', async () => {
      const { body } = await register();
      const ip = from();
      const statuses = (
        await Promise.all(Array.from({ length: 12 }, () => login(body.email, 'wrong password', ip)))
      ).map((r) => r.status);
      expect(statuses.filter((s) => s === 401)).toHaveLength(3);
      expect(statuses.filter((s) => s === 429)).toHaveLength(9);
    });

    it('clears an email count on success', async () => {
      const { body } = await register();
      const ip = from();
      for (let i = 0; i < 2; i++) expect((await login(body.email, 'wrong password', ip)).status).toBe(401);
      expect((await login(body.email, body.password, ip)).status).toBe(200);
      for (let i = 0; i < 2; i++) expect((await login(body.email, 'wrong password', ip)).status).toBe(401);
    });
  });

  // An app of its own with a 2-second failure window and lockout, against the same database.
  describe('login throttling over time', () => {
    const SECONDS = 2;
    let shortWindow: TestApp;
    // Polls the database's clock (the one the throttle counts with) until `condition` holds for the key.
    const untilThrottle = (key: string, condition: string, what: string) =>
      waitFor(async () => (await count(`auth.login_throttle WHERE key = $1 AND ${condition}`, [key])) === 1, {
        timeoutMs: (SECONDS + 3) * 1000,
        what,
      });

    beforeAll(async () => {
      shortWindow = await startTestApp(authApp, {
        ...env,
        LOGIN_FAILURE_WINDOW_SECONDS: String(SECONDS),
        LOGIN_LOCKOUT_SECONDS: String(SECONDS),
      });
    });
    afterAll(async () => {
      await shortWindow?.close();
    });

    it('no longer counts failures older than LOGIN_FAILURE_WINDOW_SECONDS', async () => {
      const { body } = await register();
      const ip = from();
      const attempt = async () => (await login(body.email, 'wrong password', ip, shortWindow.baseUrl)).status;
      for (let i = 0; i < 3; i++) expect(await attempt()).toBe(401);
      await untilThrottle(
        `email:${body.email}|address:${ip}`,
        `window_started_at < now() - make_interval(secs => ${SECONDS})`,
        'the failure window to pass',
      );
      // A new window: three more failures are let through before the fourth is blocked.
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push(await attempt());
      expect(statuses).toEqual([401, 401, 401, 429]);
    });

    it('lets the email log in again after LOGIN_LOCKOUT_SECONDS', async () => {
      const { body } = await register();
      const ip = from();
      const responses = [];
      for (let i = 0; i < 4; i++) responses.push(await login(body.email, 'wrong password', ip, shortWindow.baseUrl));
      expect(responses.map((r) => r.status)).toEqual([401, 401, 401, 429]);
      expect(responses[3]!.headers.get('retry-after')).toBe(String(SECONDS));
      expect((await login(body.email, body.password, ip, shortWindow.baseUrl)).status).toBe(429);
      await untilThrottle(`email:${body.email}|address:${ip}`, 'blocked_until <= now()', 'the lockout to end');
      expect((await login(body.email, body.password, ip, shortWindow.baseUrl)).status).toBe(200);
    });
  });

  // An app of its own that runs its retention every 100 ms, 2 rows a batch, against the same database.
  describe('retention of login_throttle and refresh_tokens', () => {
    it('deletes stale throttle rows and finished logins, in batches, and keeps everything still in use', async () => {
      const { user } = await register();
      const tag = uniqueId('ret');
      // [family, expires_at, revoked_at, kept?]: a family lives while one of its tokens is unexpired and unrevoked.
      const tokens: Array<[string, string, string | null, boolean]> = [
        ['expired-long-ago', `now() - interval '10 days'`, null, false],
        ['expired-long-ago', `now() - interval '9 days'`, null, false],
        ['revoked-long-ago', `now() + interval '20 days'`, `now() - interval '10 days'`, false],
        ['revoked-long-ago', `now() - interval '8 days'`, `now() - interval '10 days'`, false],
        ['alive', `now() - interval '10 days'`, null, true],
        ['alive', `now() + interval '20 days'`, null, true],
        ['revoked-recently', `now() + interval '20 days'`, `now() - interval '1 day'`, true],
        ['expired-recently', `now() - interval '1 day'`, null, true],
      ];
      const families = new Map<string, string>();
      for (const [i, [family, expiresAt, revokedAt]] of tokens.entries()) {
        if (!families.has(family)) families.set(family, crypto.randomUUID());
        await adminQuery(
          db,
          `INSERT INTO auth.refresh_tokens (id, user_id, family_id, token_hash, expires_at, revoked_at)
           VALUES (gen_random_uuid(), $1, $2, $3, ${expiresAt}, ${revokedAt ?? 'NULL'})`,
          [user.id, families.get(family), `${tag}-${i}`],
        );
      }
      // [key, window_started_at, blocked_until, kept?]
      const throttle: Array<[string, string, string | null, boolean]> = [
        [`email:${tag}@example.com|address:a`, `now() - interval '2 hours'`, null, false],
        [`address:${tag}`, `now() - interval '2 hours'`, `now() - interval '1 hour'`, false],
        [`register:${tag}`, `now() - interval '2 hours'`, null, false],
        [`known:${tag}@example.com|address:old`, `now() - interval '31 days'`, null, false],
        [`known:${tag}@example.com|address:recent`, `now() - interval '2 hours'`, null, true],
        [`email:${tag}@example.com`, `now() - interval '2 hours'`, `now() + interval '1 hour'`, true],
        [`email:${tag}@example.com|address:b`, 'now()', null, true],
      ];
      for (const [key, windowStartedAt, blockedUntil] of throttle) {
        await adminQuery(
          db,
          `INSERT INTO auth.login_throttle (key, failures, window_started_at, blocked_until)
           VALUES ($1, 3, ${windowStartedAt}, ${blockedUntil ?? 'NULL'})`,
          [key],
        );
      }
      const keptTokens = tokens.flatMap(([, , , kept], i) => (kept ? [`${tag}-${i}`] : []));
      const keptKeys = throttle.flatMap(([key, , , kept]) => (kept ? [key] : []));
      const tokensLeft = () => count(`auth.refresh_tokens WHERE token_hash LIKE $1`, [`${tag}-%`]);
      const throttleLeft = () => count(`auth.login_throttle WHERE key LIKE $1`, [`%${tag}%`]);
      expect([await tokensLeft(), await throttleLeft()]).toEqual([tokens.length, throttle.length]);

      const retaining = await startTestApp(authApp, {
        ...env,
        SESSION_RETENTION_INTERVAL_MS: '100',
        SESSION_RETENTION_BATCH_SIZE: '2',
        LOGIN_FAILURE_WINDOW_SECONDS: '60',
        REGISTER_WINDOW_SECONDS: '60',
      });
      try {
        await waitFor(
          async () => (await tokensLeft()) === keptTokens.length && (await throttleLeft()) === keptKeys.length,
          { timeoutMs: 10_000, what: 'the retention to delete the stale rows' },
        );
        expect(await count(`auth.refresh_tokens WHERE token_hash = ANY($1)`, [keptTokens])).toBe(keptTokens.length);
        expect(await count(`auth.login_throttle WHERE key = ANY($1)`, [keptKeys])).toBe(keptKeys.length);
      } finally {
        await retaining.close();
      }
    });
  });

  describe('the admin from ADMIN_EMAIL / ADMIN_PASSWORD', () => {
    it('exists with the admin role after start-up, once, also after a restart', async () => {
      const response = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
      expect(response.status).toBe(200);
      const { accessToken } = (await response.json()) as { accessToken: string };
      expect(((await (await get('me', accessToken)).json()) as { roles: string[] }).roles.sort()).toEqual([
        'admin',
        'customer',
      ]);

      const second = await startTestApp(authApp, env);
      await second.close();
      expect(await count('auth.users WHERE email = $1', [ADMIN_EMAIL])).toBe(1);
      const [admin] = await adminQuery<{ id: string }>(db, 'SELECT id FROM auth.users WHERE email = $1', [ADMIN_EMAIL]);
      await userCreatedFor(admin!.id);
    });
  });
});
