import { Controller, Get, Module, Query } from '@nestjs/common';
import { startTestIssuer, type TestIssuer } from '@commerce/testing';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ACCESS_TOKEN_KEYS,
  Authenticated,
  type AuthenticatedUser,
  CurrentUser,
  ProblemDetailsFilter,
  remoteAccessTokenKeys,
  ZodPipe,
} from '../src/index.ts';

@Controller()
class ProbeController {
  @Get('me')
  @Authenticated()
  me(@CurrentUser() user: AuthenticatedUser) {
    return user;
  }

  @Get('admin')
  @Authenticated({ roles: ['admin'] })
  admin() {
    return { ok: true };
  }

  @Get('stream')
  @Authenticated({ queryToken: true })
  stream(@CurrentUser() user: AuthenticatedUser) {
    return { id: user.id };
  }

  @Get('search')
  search(@Query(new ZodPipe(z.strictObject({ limit: z.coerce.number().int().min(1).max(100) }))) query: object) {
    return query;
  }
}

const USER_1 = '5f1d7e2a-9c3b-4e8f-a6d2-1b7c9e0f3a45';

describe('the access-token guard, against a real JWKS over HTTP', () => {
  let issuer: TestIssuer;
  let app: INestApplication;
  let base: string;
  let keysDown: INestApplication;
  let keysDownBase: string;

  beforeAll(async () => {
    issuer = await startTestIssuer();
    @Module({
      controllers: [ProbeController],
      providers: [
        {
          provide: ACCESS_TOKEN_KEYS,
          useValue: remoteAccessTokenKeys({
            jwksUrl: issuer.jwksUrl,
            issuer: issuer.env.AUTH_ISSUER,
            audience: issuer.env.AUTH_AUDIENCE,
            cacheMaxAgeMs: 600_000,
            cooldownMs: 0,
          }),
        },
      ],
    })
    class ProbeModule {}
    app = await NestFactory.create(ProbeModule, { logger: false });
    app.useGlobalFilters(new ProblemDetailsFilter());
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');

    // The same routes, trusting a JWKS nothing serves (auth down).
    @Module({
      controllers: [ProbeController],
      providers: [
        {
          provide: ACCESS_TOKEN_KEYS,
          useValue: remoteAccessTokenKeys({
            jwksUrl: 'http://127.0.0.1:1/.well-known/jwks.json',
            issuer: issuer.env.AUTH_ISSUER,
            audience: issuer.env.AUTH_AUDIENCE,
            cacheMaxAgeMs: 600_000,
            cooldownMs: 0,
          }),
        },
      ],
    })
    class KeysDownModule {}
    keysDown = await NestFactory.create(KeysDownModule, { logger: false });
    keysDown.useGlobalFilters(new ProblemDetailsFilter());
    await keysDown.listen(0, '127.0.0.1');
    keysDownBase = (await keysDown.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    await keysDown?.close();
    await app?.close();
    await issuer?.close();
  });

  const get = (path: string, token?: string) =>
    fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('exposes the verified user and roles to the handler', async () => {
    const token = await issuer.token({ sub: USER_1, roles: ['customer'], email: 'a@example.com' });
    const response = await get('/me', token);
    expect(response.status).toBe(200);
    const user = (await response.json()) as { expiresAt: string };
    expect(user).toEqual({ id: USER_1, email: 'a@example.com', roles: ['customer'], expiresAt: expect.any(String) });
    // Its exp, for what outlives the request (a stream ends then): in the future, to the second.
    expect(Date.parse(user.expiresAt)).toBeGreaterThan(Date.now());
    expect(Date.parse(user.expiresAt) % 1000).toBe(0);
  });

  it("exposes the token's login session (sid) as sessionId, when it is a uuid", async () => {
    const sid = randomUUID();
    const withSession = await (await get('/me', await issuer.token({ sub: USER_1, sid }))).json();
    expect(withSession).toMatchObject({ id: USER_1, sessionId: sid });
    // Not a session auth makes: the token is still good, it names no session.
    const odd = await get('/me', await issuer.token({ sub: USER_1, sid: 'not\na-session' }));
    expect(odd.status).toBe(200);
    expect(await odd.json()).not.toHaveProperty('sessionId');
  });

  it('answers 401 problem+json for a missing, malformed, forged or expired token', async () => {
    for (const token of [undefined, 'not-a-jwt', await issuer.forgedToken(), await issuer.token({ expiresIn: -10 })]) {
      const response = await get('/me', token);
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    }
    const expired = (await (await get('/me', await issuer.token({ expiresIn: -10 }))).json()) as { detail: string };
    expect(expired.detail).toMatch(/expired/);
  });

  it("answers 401 for a token of the issuer's own key whose sub is not a user id (not a 500 from a uuid column)", async () => {
    for (const sub of ['user-1', '-'.repeat(36), USER_1.toUpperCase(), ` ${USER_1}`, 'ꐁ🔶', `${USER_1}\u0000`]) {
      const response = await get('/me', await issuer.token({ sub }));
      expect(response.status, JSON.stringify(sub)).toBe(401);
    }
  });

  it('answers 403 when the role is missing', async () => {
    expect((await get('/admin', await issuer.token({ roles: ['customer'] }))).status).toBe(403);
    expect((await get('/admin', await issuer.token({ roles: ['admin'] }))).status).toBe(200);
  });

  it('takes ?access_token= only where the route allows it', async () => {
    const token = await issuer.token({ sub: '1b0c6a59-2f5e-4f3a-9d57-0c3f3c1d2e4f' });
    expect((await fetch(`${base}/stream?access_token=${token}`)).status).toBe(200);
    expect((await fetch(`${base}/me?access_token=${token}`)).status).toBe(401);
  });

  it('caches the JWKS, and fetches it again when a token names an unknown kid (rotation)', async () => {
    const before = issuer.fetches();
    await get('/me', await issuer.token());
    await get('/me', await issuer.token());
    expect(issuer.fetches()).toBe(before);
    await issuer.rotate();
    const response = await get('/me', await issuer.token());
    expect(response.status).toBe(200);
    expect(issuer.fetches()).toBe(before + 1);
  });

  it('answers 422 naming the field for invalid input', async () => {
    const response = await fetch(`${base}/search?limit=0&extra=1`);
    expect(response.status).toBe(422);
    const body = (await response.json()) as { errors: Array<{ field: string }> };
    expect(body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['(query)', 'limit']);
  });

  it('answers 503, not 401 or 500, when the keys cannot be fetched', async () => {
    const response = await fetch(`${keysDownBase}/me`, {
      headers: { authorization: `Bearer ${await issuer.token()}` },
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    // Without a token there is nothing to verify: still 401.
    expect((await fetch(`${keysDownBase}/me`)).status).toBe(401);
  });

  it('answers 503, not 401, when the JWKS answers other than 200 or is not a key set', async () => {
    for (const [status, body] of [
      [500, '{"keys":[]}'],
      [404, 'not found'],
      [200, '{"not":"a key set"}'],
    ] as const) {
      const jwks = createServer((_req, res) => res.writeHead(status, { 'content-type': 'application/json' }).end(body));
      await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
      @Module({
        controllers: [ProbeController],
        providers: [
          {
            provide: ACCESS_TOKEN_KEYS,
            useValue: remoteAccessTokenKeys({
              jwksUrl: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`,
              issuer: issuer.env.AUTH_ISSUER,
              audience: issuer.env.AUTH_AUDIENCE,
              cacheMaxAgeMs: 600_000,
              cooldownMs: 0,
            }),
          },
        ],
      })
      class BrokenKeysModule {}
      const broken = await NestFactory.create(BrokenKeysModule, { logger: false });
      broken.useGlobalFilters(new ProblemDetailsFilter());
      await broken.listen(0, '127.0.0.1');
      try {
        const url = (await broken.getUrl()).replace('[::1]', '127.0.0.1');
        const response = await fetch(`${url}/me`, { headers: { authorization: `Bearer ${await issuer.token()}` } });
        expect({ status, body, answer: response.status }).toEqual({ status, body, answer: 503 });
      } finally {
        await broken.close();
        jwks.close();
      }
    }
  });

  it('answers 422 for a NUL character in any input string', async () => {
    const response = await fetch(`${base}/search?limit=${encodeURIComponent('1\u0000')}`);
    expect(response.status).toBe(422);
    const body = (await response.json()) as { errors: Array<{ field: string; message: string }> };
    expect(body.errors).toEqual([{ field: 'limit', message: 'must not contain NUL characters' }]);
  });
});
