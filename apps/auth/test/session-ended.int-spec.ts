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
} from '@commerce/testing';
import { decodeJwt } from 'jose';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authApp } from '../src/app.ts';

interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

interface SessionEnded {
  eventType: string;
  aggregateId: string;
  data: { userId: string; sessionId: string; reason: string };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// A login session is its refresh token family: its access tokens say which (sid), and its end is an event.
describe('auth: login sessions and session.ended', () => {
  let db: TestDatabase;
  let app: TestApp;
  let prefix: string;
  let ended: TopicReader;
  let address = 0;

  const post = (path: string, body: unknown) =>
    fetch(`${app.baseUrl}/${path}`, {
      method: 'POST',
      // Each call from its own client address: the login limits are not what this file is about.
      headers: { 'content-type': 'application/json', 'x-forwarded-for': `198.51.100.${++address}` },
      body: JSON.stringify(body),
    });
  const registered = async () => {
    const body = { email: `${uniqueId('s')}@example.com`, password: 'correct horse battery', name: 'Ada' };
    const response = await post('register', body);
    expect(response.status).toBe(201);
    return { ...body, id: ((await response.json()) as { id: string }).id };
  };
  const login = async (user: { email: string; password: string }) => {
    const response = await post('login', { email: user.email, password: user.password });
    expect(response.status).toBe(200);
    return (await response.json()) as TokenPair;
  };
  const sidOf = (pair: TokenPair) => decodeJwt(pair.accessToken).sid as string;
  /** The session.ended events written for a session, from the outbox (kept after publishing). */
  const outboxed = async (sessionId: string) =>
    (
      await adminQuery<{ payload: SessionEnded; topic: string }>(
        db,
        `SELECT payload, topic FROM auth.outbox WHERE message_key = $1 ORDER BY id`,
        [sessionId],
      )
    ).map((row) => ({ ...row.payload, topic: row.topic }));
  const publishedFor = async (sessionId: string) => {
    const [message] = await ended.waitFor(1, { filter: (m) => m.key === sessionId });
    return JSON.parse(message!.value!) as SessionEnded;
  };

  beforeAll(async () => {
    db = await createTestDatabase(['auth']);
    prefix = `${uniqueId()}.`;
    await createTopics(testKafka(), [`${prefix}session.ended`]);
    ended = await new TopicReader(testKafka(), [`${prefix}session.ended`]).start();
    app = await startTestApp(authApp, { DATABASE_URL: db.urlFor('auth'), KAFKA_TOPIC_PREFIX: prefix });
  });
  afterAll(async () => {
    await ended?.stop();
    await app?.close();
    await db?.drop();
  });

  it("gives every access token of a login the login's session id (sid: its refresh token family), across rotations", async () => {
    const user = await registered();
    const first = await login(user);
    const sid = sidOf(first);
    expect(sid).toMatch(UUID);
    const [{ family }] = (await adminQuery<{ family: string }>(
      db,
      'SELECT family_id AS family FROM auth.refresh_tokens WHERE token_hash = $1',
      [createHash('sha256').update(first.refreshToken).digest('hex')],
    )) as [{ family: string }];
    expect(family).toBe(sid);
    const rotated = (await (await post('refresh', { refreshToken: first.refreshToken })).json()) as TokenPair;
    expect(sidOf(rotated)).toBe(sid);
    // Another login is another session.
    expect(sidOf(await login(user))).not.toBe(sid);
  });

  it('publishes session.ended (LOGGED_OUT) on logout, once, and nothing for the user’s other session', async () => {
    const user = await registered();
    const session = await login(user);
    const other = await login(user);
    expect((await post('logout', { refreshToken: session.refreshToken })).status).toBe(204);

    const event = await publishedFor(sidOf(session));
    expect(event).toMatchObject({
      eventType: 'session.ended',
      aggregateId: sidOf(session),
      data: { userId: user.id, sessionId: sidOf(session), reason: 'LOGGED_OUT' },
    });
    // Logging out again, or refreshing the logged-out token, ends nothing more.
    expect((await post('logout', { refreshToken: session.refreshToken })).status).toBe(204);
    expect((await post('refresh', { refreshToken: session.refreshToken })).status).toBe(401);
    expect(await outboxed(sidOf(session))).toEqual([expect.objectContaining({ topic: 'session.ended' })]);
    expect(await outboxed(sidOf(other))).toEqual([]);
  });

  it('publishes session.ended (REFRESH_TOKEN_REUSED) when a reused refresh token revokes the family, once', async () => {
    const user = await registered();
    const session = await login(user);
    const other = await login(user);
    const rotated = (await (await post('refresh', { refreshToken: session.refreshToken })).json()) as TokenPair;
    expect((await post('refresh', { refreshToken: session.refreshToken })).status).toBe(401);

    const event = await publishedFor(sidOf(session));
    expect(event.data).toEqual({ userId: user.id, sessionId: sidOf(session), reason: 'REFRESH_TOKEN_REUSED' });
    // The family is revoked already: a further reuse, the newest token, or a logout say nothing new.
    expect((await post('refresh', { refreshToken: session.refreshToken })).status).toBe(401);
    expect((await post('refresh', { refreshToken: rotated.refreshToken })).status).toBe(401);
    expect((await post('logout', { refreshToken: rotated.refreshToken })).status).toBe(204);
    expect(await outboxed(sidOf(session))).toHaveLength(1);
    expect(await outboxed(sidOf(other))).toEqual([]);
    expect((await post('refresh', { refreshToken: other.refreshToken })).status).toBe(200);
  });
});
