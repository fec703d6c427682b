import { randomUUID } from 'node:crypto';
import { withTimeout } from '@commerce/platform';
import { type OpenEventStream, openEventStream, waitFor } from '@commerce/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationStreams } from '../src/notifications/notification-streams.ts';
import { emailOf, NotificationWorld, orderPlaced, userCreated } from './support.ts';

// Closing an app stops its consumer and dispatcher first; an open stream must not hold it up.
const CLOSE_WITHIN_MS = 10_000;

interface Streamed {
  id: string;
  type: string;
  orderId?: string;
  subject: string;
  sentAt: string;
}

const notificationsOn = (stream: OpenEventStream): Streamed[] =>
  stream.events().map((e) => JSON.parse(e.data!) as Streamed);

describe('GET /api/notifications/stream', () => {
  let world: NotificationWorld;
  let url: string;
  const open: OpenEventStream[] = [];
  const stream = async (token?: string, query = '') => {
    const opened = await openEventStream(`${url}${query}`, token);
    open.push(opened);
    return opened;
  };

  beforeAll(async () => {
    // The order app's role beside it: a neighbour that shares the database, and so its NOTIFY channels.
    world = await new NotificationWorld({ alongside: ['order'] }).start({ SSE_HEARTBEAT_MS: '100' });
    url = `${world.app.baseUrl}/stream`;
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await world?.close();
  });

  it("streams the caller's notifications as they are sent, and not another user's", async () => {
    const ada = randomUUID();
    const bob = randomUUID();
    const adas = await stream(await world.issuer.token({ sub: ada }));
    expect(adas.response.status).toBe(200);
    expect(adas.response.headers.get('content-type')).toBe('text/event-stream');
    expect(adas.response.headers.get('cache-control')).toBe('no-cache');
    expect(adas.response.headers.get('x-accel-buffering')).toBe('no');
    await waitFor(() => adas.text().startsWith('retry: 3000\n\n'), { what: 'the retry line' });
    const bobs = await stream(await world.issuer.token({ sub: bob }));

    await world.publish(userCreated(ada), userCreated(bob, 'Bob'));
    const [welcome] = await waitFor(() => notificationsOn(adas).length >= 1 && notificationsOn(adas), {
      what: "ada's welcome on her stream",
    });
    expect(welcome).toEqual({
      id: expect.any(String),
      type: 'WELCOME',
      subject: 'Welcome to Commerce, Ada',
      sentAt: expect.any(String),
    });
    expect(adas.events()[0]).toMatchObject({ event: 'notification', id: welcome.id });
    const listed = await (
      await fetch(world.app.baseUrl, { headers: { authorization: `Bearer ${await world.issuer.token({ sub: ada })}` } })
    ).json();
    expect(listed).toEqual([welcome]);

    // Every stream sees each sent notification at the same moment: once Bob's has his, Ada's has had its chance.
    const [bobsWelcome] = await waitFor(() => notificationsOn(bobs).length >= 1 && notificationsOn(bobs), {
      what: "bob's welcome on his stream",
    });
    const placed = orderPlaced(ada);
    await world.publish(placed);
    await waitFor(() => notificationsOn(adas).length >= 2, { what: "ada's order email on her stream" });
    expect(notificationsOn(adas).map((n) => n.type)).toEqual(['WELCOME', 'ORDER_RECEIVED']);
    expect(notificationsOn(adas)[1]).toMatchObject({ orderId: placed.data.orderId });
    expect(adas.text()).not.toContain(bobsWelcome.id);
    expect(notificationsOn(bobs)).toHaveLength(1);
  });

  it('sends a heartbeat comment while nothing happens', async () => {
    const quiet = await stream(await world.issuer.token());
    await waitFor(() => quiet.text().includes(': heartbeat\n\n'), { what: 'a heartbeat' });
    expect(quiet.events()).toEqual([]);
  });

  it('takes the token as ?access_token= too (EventSource cannot send headers)', async () => {
    const carol = randomUUID();
    const token = await world.issuer.token({ sub: carol });
    const carols = await stream(undefined, `?access_token=${token}`);
    expect(carols.response.status).toBe(200);
    expect(carols.response.headers.get('content-type')).toBe('text/event-stream');
    await world.publish(userCreated(carol, 'Carol'));
    await waitFor(() => notificationsOn(carols).length === 1, { what: "carol's welcome" });
    expect(world.smtp.to(emailOf(carol))).toHaveLength(1);

    // The list route does not take it: a token in a URL leaks into logs, so only the stream allows it.
    expect((await fetch(`${world.app.baseUrl}?access_token=${token}`)).status).toBe(401);
  });

  it('is 401 without a token, with a forged one, or an expired one', async () => {
    const forged = await world.issuer.forgedToken();
    const expired = await world.issuer.token({ expiresIn: -60 });
    for (const response of [
      await fetch(url),
      await fetch(`${url}?access_token=${forged}`),
      await fetch(url, { headers: { authorization: `Bearer ${expired}` } }),
    ]) {
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('lets go of a stream whose client has gone', async () => {
    const streams = world.app.app.get(NotificationStreams);
    const before = streams.size;
    const leaving = await stream(await world.issuer.token());
    await waitFor(() => streams.size === before + 1, { what: 'the stream to be open' });
    leaving.close();
    await waitFor(() => streams.size === before, { what: 'the stream to be let go' });
  });

  it('streams what another replica sends (LISTEN/NOTIFY)', async () => {
    // A second replica on the same database, whose SMTP refuses everything: only the first can send.
    const dan = randomUUID();
    const refusing = await world.startApp({
      KAFKA_TOPIC_PREFIX: `${world.prefix}other.`,
      SMTP_URL: 'smtp://127.0.0.1:1',
    });
    try {
      const dans = await stream(await world.issuer.token({ sub: dan }));
      const onReplica = await openEventStream(`${refusing.baseUrl}/stream`, await world.issuer.token({ sub: dan }));
      open.push(onReplica);
      await waitFor(() => onReplica.text().startsWith('retry:'), { what: 'the second replica to stream' });
      // Several at once: the sender announces a batch's notifications together; each arrives.
      await world.publish(userCreated(dan, 'Dan'), orderPlaced(dan), orderPlaced(dan));
      await waitFor(() => notificationsOn(onReplica).length === 3, { what: "dan's three emails on the other replica" });
      await waitFor(() => notificationsOn(dans).length === 3, { what: "dan's three emails on the sender's stream" });
      const byId = (a: Streamed, b: Streamed) => a.id.localeCompare(b.id);
      expect(notificationsOn(onReplica).sort(byId)).toEqual(notificationsOn(dans).sort(byId));
      expect(world.smtp.to(emailOf(dan))).toHaveLength(3);
    } finally {
      // Its dispatcher would go on claiming and failing emails the other tests wait for.
      await world.closeApp(refusing);
    }
  });

  it("streams nothing that another app's role NOTIFYs: no forged notification, no injected frame", async () => {
    // A second replica that cannot send: what reaches its streams came over LISTEN/NOTIFY, in order.
    const eve = randomUUID();
    const listening = await world.startApp({
      KAFKA_TOPIC_PREFIX: `${world.prefix}neighbour.`,
      SMTP_URL: 'smtp://127.0.0.1:1',
    });
    const neighbour = new pg.Client({ connectionString: world.db.urlFor('order') });
    await neighbour.connect();
    try {
      const eves = await openEventStream(`${listening.baseUrl}/stream`, await world.issuer.token({ sub: eve }));
      open.push(eves);
      await waitFor(() => eves.text().startsWith('retry:'), { what: "eve's stream to open" });
      // The neighbour cannot write the rows a listener reads back (so announcing ids proves nothing)...
      await expect(
        neighbour.query(
          `INSERT INTO notifications.notifications (user_id, type, subject, body) VALUES ($1, 'WELCOME', 'x', 'x')`,
          [eve],
        ),
      ).rejects.toThrow(/permission denied/);
      // ...but any role may NOTIFY on any channel: every format this app has listened for, forged.
      const injected = `${randomUUID()}\n\nevent: notification\ndata: {"subject":"forged frame"}`;
      const fake = {
        id: injected,
        userId: eve,
        type: 'WELCOME',
        subject: 'forged notification',
        sentAt: new Date().toISOString(),
      };
      const forged: Array<[string, unknown]> = [
        ['notifications.notification_sent', { origin: randomUUID(), notification: fake }],
        ['notifications.notifications_sent', { origin: randomUUID(), notifications: [fake] }],
        ['notifications.sent_notification_ids', { origin: randomUUID(), notifications: [fake] }],
        ['notifications.sent_notification_ids', { origin: randomUUID(), ids: [injected] }],
        ['notifications.sent_notification_ids', { origin: randomUUID(), ids: [randomUUID()] }],
      ];
      for (const [channel, payload] of forged)
        await neighbour.query('SELECT pg_notify($1, $2)', [channel, JSON.stringify(payload)]);
      // A real one after them: once it is on the stream, the listener has read everything forged before it.
      await world.publish(userCreated(eve, 'Eve'));
      await waitFor(() => eves.text().includes('Welcome to Commerce, Eve'), {
        what: "eve's real welcome on the listening replica",
      });
      expect(notificationsOn(eves)).toEqual([
        expect.objectContaining({ type: 'WELCOME', subject: 'Welcome to Commerce, Eve' }),
      ]);
      expect(eves.text()).not.toContain('forged');
      expect(eves.events()).toHaveLength(1);
    } finally {
      await neighbour.end();
      await world.closeApp(listening);
    }
  });

  it('ends a stream when its token expires, saying so', async () => {
    const expiring = await stream(await world.issuer.token({ expiresIn: 2 }));
    expect(expiring.response.status).toBe(200);
    await withTimeout(expiring.ended, 10_000, 'the stream to end when its token expires');
    expect(expiring.text()).toMatch(/event: token-expired\ndata: \{"detail":"The access token has expired[^\n]*\n\n$/);
  });

  it('holds at most SSE_MAX_STREAMS_PER_USER streams per user (429) and SSE_MAX_STREAMS in all (503)', async () => {
    const capped = await world.startApp({
      KAFKA_TOPIC_PREFIX: `${world.prefix}capped.`,
      SSE_MAX_STREAMS_PER_USER: '2',
      SSE_MAX_STREAMS: '3',
    });
    try {
      const cappedUrl = `${capped.baseUrl}/stream`;
      const [ada, bob, carol] = [randomUUID(), randomUUID(), randomUUID()];
      const tokenOf = (sub: string) => world.issuer.token({ sub });
      const adas = [
        await openEventStream(cappedUrl, await tokenOf(ada)),
        await openEventStream(cappedUrl, await tokenOf(ada)),
      ];
      open.push(...adas);
      expect(adas.map((s) => s.response.status)).toEqual([200, 200]);
      const third = await fetch(cappedUrl, { headers: { authorization: `Bearer ${await tokenOf(ada)}` } });
      expect(third.status).toBe(429);
      expect(third.headers.get('retry-after')).toBe('10');
      expect(third.headers.get('content-type')).toContain('application/problem+json');
      expect(((await third.json()) as { detail: string }).detail).toMatch(/At most 2 notification streams/);

      const bobs = await openEventStream(cappedUrl, await tokenOf(bob));
      open.push(bobs);
      expect(bobs.response.status).toBe(200);
      const carols = await fetch(cappedUrl, { headers: { authorization: `Bearer ${await tokenOf(carol)}` } });
      expect(carols.status).toBe(503);
      expect(carols.headers.get('retry-after')).toBe('10');

      // A stream that ends gives its place back.
      adas[0].close();
      const streams = capped.app.get(NotificationStreams);
      await waitFor(() => streams.size === 2, { what: "ada's first stream to be let go" });
      const again = await openEventStream(cappedUrl, await tokenOf(ada));
      open.push(again);
      expect(again.response.status).toBe(200);
    } finally {
      await world.closeApp(capped);
    }
  });

  it('closes cleanly while streams are open, ending them', async () => {
    // A replica of its own to close: the other tests keep theirs, in whatever order they run.
    const closing = await world.startApp({ KAFKA_TOPIC_PREFIX: `${world.prefix}closing.` });
    const lingering = await openEventStream(`${closing.baseUrl}/stream`, await world.issuer.token());
    open.push(lingering);
    await waitFor(() => lingering.text().startsWith('retry:'), { what: 'the stream to open' });
    const closed = world.closeApp(closing);
    closed.catch(() => undefined); // awaited below, after the stream's end
    // The server ends the stream (its last chunk arrives); a reset connection rejects `ended`.
    await withTimeout(lingering.ended, CLOSE_WITHIN_MS, `the stream to end within ${CLOSE_WITHIN_MS} ms of closing`);
    await withTimeout(closed, CLOSE_WITHIN_MS, `the app to close within ${CLOSE_WITHIN_MS} ms`);
    expect(lingering.text()).toMatch(/^retry: 3000\n\n/);
  });
});
