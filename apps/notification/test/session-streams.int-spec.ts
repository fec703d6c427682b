import { randomUUID } from 'node:crypto';
import { createEvent, type EventOf } from '@commerce/contracts';
import { withTimeout } from '@commerce/platform';
import { type OpenEventStream, openEventStream, waitFor } from '@commerce/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationStreams } from '../src/notifications/notification-streams.ts';
import { NotificationWorld, userCreated } from './support.ts';

const END_WITHIN_MS = 10_000;

/** auth's session.ended for one login session of a user. */
function sessionEnded(
  userId: string,
  sessionId: string,
  reason: EventOf<'session.ended'>['data']['reason'] = 'LOGGED_OUT',
): EventOf<'session.ended'> {
  return createEvent(
    'session.ended',
    { userId, sessionId, reason },
    { source: 'auth', aggregateId: sessionId, correlationId: randomUUID() },
  );
}

const SESSION_ENDED_FRAME = (reason: string) =>
  new RegExp(`event: session-ended\\ndata: \\{"reason":"${reason}","detail":"The session has ended[^\\n]*\\n\\n$`);

describe('notification streams end with their login session (session.ended)', () => {
  let world: NotificationWorld;
  const open: OpenEventStream[] = [];
  const stream = async (baseUrl: string, token: string) => {
    const opened = await openEventStream(`${baseUrl}/stream`, token);
    open.push(opened);
    expect(opened.response.status).toBe(200);
    await waitFor(() => opened.text().startsWith('retry:'), { what: 'the stream to open' });
    return opened;
  };

  beforeAll(async () => {
    // The order app's role beside it: a neighbour that shares the database, and so its NOTIFY channels.
    world = await new NotificationWorld({ alongside: ['order'] }).start({ SSE_HEARTBEAT_MS: '200' });
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await world?.close();
  });

  it("ends every stream of the session on every replica, and not the same user's other session", async () => {
    // A second replica on other topics: session.ended never reaches its consumer, and its heartbeat's
    // own check is an hour away, so only the first replica's announcement can end its stream.
    const replica = await world.startApp({
      KAFKA_TOPIC_PREFIX: `${world.prefix}replica.`,
      SSE_HEARTBEAT_MS: '3600000',
    });
    try {
      const ada = randomUUID();
      const [loggedOut, stillIn] = [randomUUID(), randomUUID()];
      const tokenOf = (sid: string) => world.issuer.token({ sub: ada, sid });
      const here = await stream(world.app.baseUrl, await tokenOf(loggedOut));
      const there = await stream(replica.baseUrl, await tokenOf(loggedOut));
      const other = await stream(world.app.baseUrl, await tokenOf(stillIn));
      const otherThere = await stream(replica.baseUrl, await tokenOf(stillIn));

      await world.publish(sessionEnded(ada, loggedOut));
      await withTimeout(here.ended, END_WITHIN_MS, 'the stream of the ended session to end');
      await withTimeout(there.ended, END_WITHIN_MS, "the other replica's stream of the ended session to end");
      for (const ended of [here, there]) {
        expect(ended.text()).toMatch(SESSION_ENDED_FRAME('LOGGED_OUT'));
        expect(ended.events().at(-1)).toMatchObject({ event: 'session-ended' });
      }

      // The other session streams on, on both replicas: its welcome arrives after the end.
      await world.publish(userCreated(ada));
      await waitFor(() => other.text().includes('Welcome to Commerce, Ada'), { what: "the other session's welcome" });
      await waitFor(() => otherThere.text().includes('Welcome to Commerce, Ada'), {
        what: "the other session's welcome on the other replica",
      });
      expect(other.text()).not.toContain('session-ended');
      expect(otherThere.text()).not.toContain('session-ended');
    } finally {
      await world.closeApp(replica);
    }
  });

  it('opens no stream with a token of an ended session (401)', async () => {
    const bob = randomUUID();
    const revoked = randomUUID();
    const event = sessionEnded(bob, revoked, 'REFRESH_TOKEN_REUSED');
    await world.publish(event);
    await world.handled(event);
    const token = await world.issuer.token({ sub: bob, sid: revoked });
    const refused = await fetch(`${world.app.baseUrl}/stream`, { headers: { authorization: `Bearer ${token}` } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer');
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/session has ended/);
    // The same user's other sessions still stream.
    await stream(world.app.baseUrl, await world.issuer.token({ sub: bob, sid: randomUUID() }));
  });

  it('ends a stream of a session revoked by refresh-token reuse, saying why', async () => {
    const carol = randomUUID();
    const sid = randomUUID();
    const revoked = await stream(world.app.baseUrl, await world.issuer.token({ sub: carol, sid }));
    await world.publish(sessionEnded(carol, sid, 'REFRESH_TOKEN_REUSED'));
    await withTimeout(revoked.ended, END_WITHIN_MS, 'the stream of the revoked session to end');
    expect(revoked.text()).toMatch(SESSION_ENDED_FRAME('REFRESH_TOKEN_REUSED'));
  });

  it('ends a stream at its next heartbeat when the end was recorded but not announced (a replica not listening then)', async () => {
    const erin = randomUUID();
    const sid = randomUUID();
    const unheard = await stream(world.app.baseUrl, await world.issuer.token({ sub: erin, sid }));
    // As the handler of another replica records it, without the NOTIFY this replica would have missed.
    await world.query(
      `INSERT INTO notifications.ended_sessions (session_id, user_id, reason) VALUES ($1, $2, 'LOGGED_OUT')`,
      [sid, erin],
    );
    await withTimeout(unheard.ended, END_WITHIN_MS, 'the stream to end at a heartbeat');
    expect(unheard.text()).toMatch(SESSION_ENDED_FRAME('LOGGED_OUT'));
  });

  it("ends nothing that another app's role announces: the session must be recorded as ended here", async () => {
    const dan = randomUUID();
    const sid = randomUUID();
    const streams = world.app.app.get(NotificationStreams);
    const dans = await stream(world.app.baseUrl, await world.issuer.token({ sub: dan, sid }));
    const neighbour = new pg.Client({ connectionString: world.db.urlFor('order') });
    await neighbour.connect();
    try {
      // Any role may NOTIFY on the channel; none but the app's may write the table it reads back.
      await expect(
        neighbour.query(`INSERT INTO notifications.ended_sessions (session_id, user_id, reason) VALUES ($1, $2, 'x')`, [
          sid,
          dan,
        ]),
      ).rejects.toThrow(/permission denied/);
      await neighbour.query('SELECT pg_notify($1, $2)', [
        'notifications.ended_session_ids',
        JSON.stringify({ origin: randomUUID(), ids: [sid] }),
      ]);
      // A real end of another session after it: once that one has ended, the forged one was read.
      const marker = randomUUID();
      const markerStream = await stream(world.app.baseUrl, await world.issuer.token({ sub: dan, sid: marker }));
      await world.publish(sessionEnded(dan, marker));
      await withTimeout(markerStream.ended, END_WITHIN_MS, 'the really ended session to end');
      // And a heartbeat's check after it, which reads dan's session from the table too.
      const beats = dans.text().split(': heartbeat').length;
      await waitFor(() => dans.text().split(': heartbeat').length > beats + 1, { what: 'two more heartbeats' });
      expect(dans.text()).not.toContain('session-ended');
      expect(streams.size).toBeGreaterThan(0);
    } finally {
      await neighbour.end();
    }
  });

  it('forgets ended sessions after ENDED_SESSION_RETENTION_SECONDS, a batch at each new end', async () => {
    const old = randomUUID();
    await world.query(
      `INSERT INTO notifications.ended_sessions (session_id, user_id, reason, ended_at)
       VALUES ($1, $2, 'LOGGED_OUT', now() - interval '2 days')`,
      [old, randomUUID()],
    );
    const event = sessionEnded(randomUUID(), randomUUID());
    await world.publish(event);
    await world.handled(event);
    const rows = await world.query<{ session_id: string }>(
      'SELECT session_id FROM notifications.ended_sessions WHERE session_id = ANY($1)',
      [[old, event.data.sessionId]],
    );
    expect(rows.map((r) => r.session_id)).toEqual([event.data.sessionId]);
  });
});
