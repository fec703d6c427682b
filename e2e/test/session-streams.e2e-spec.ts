import { authApp } from '@commerce/auth-app';
import { notificationApp } from '@commerce/notification-app';
import { withTimeout } from '@commerce/platform';
import {
  type OpenEventStream,
  openEventStream,
  startTestSmtpServer,
  startTestStack,
  type TestSmtpServer,
  type TestStack,
  uniqueId,
  waitFor,
} from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

const END_WITHIN_MS = 15_000;

// auth and notification together, over HTTP only: logging out, or a refresh token presented twice,
// ends the notification streams of that login, and of no other.
describe('a login session and its notification streams', () => {
  let stack: TestStack;
  let smtp: TestSmtpServer;
  const open: OpenEventStream[] = [];
  const credentials = { email: `${uniqueId('e2e')}@example.com`, password: 'correct horse battery' };

  const post = async (path: string, body: unknown) =>
    fetch(`${stack.url('auth')}/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const login = async () => {
    const response = await post('login', credentials);
    expect(response.status).toBe(200);
    return (await response.json()) as TokenPair;
  };
  const stream = async (pair: TokenPair) => {
    const opened = await openEventStream(`${stack.url('notification')}/stream`, pair.accessToken);
    open.push(opened);
    expect(opened.response.status).toBe(200);
    await waitFor(() => opened.text().startsWith('retry:'), { what: 'the stream to open' });
    return opened;
  };
  const endedFrame = (reason: string) =>
    new RegExp(`event: session-ended\\ndata: \\{"reason":"${reason}"[^\\n]*\\n\\n$`);

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    // A heartbeat often, so an open stream shows traffic soon.
    stack = await startTestStack(
      { auth: authApp, notification: notificationApp },
      { SSE_HEARTBEAT_MS: '200', SMTP_URL: smtp.url },
    );
    expect((await post('register', { ...credentials, name: 'Ada' })).status).toBe(201);
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await stack?.close();
    await smtp?.close();
  });

  it('ends the streams of a session that logs out, and not those of another session of the user', async () => {
    const leaving = await login();
    const staying = await login();
    const leavingStream = await stream(leaving);
    const stayingStream = await stream(staying);

    expect((await post('logout', { refreshToken: leaving.refreshToken })).status).toBe(204);
    await withTimeout(leavingStream.ended, END_WITHIN_MS, 'the logged-out session’s stream to end');
    expect(leavingStream.text()).toMatch(endedFrame('LOGGED_OUT'));
    // Its access token is still unexpired, but opens no stream again.
    const again = await fetch(`${stack.url('notification')}/stream`, {
      headers: { authorization: `Bearer ${leaving.accessToken}` },
    });
    expect(again.status).toBe(401);

    // The other session's stream is open: it still gets what is sent to the user.
    const notified = stayingStream.text().length;
    await waitFor(() => stayingStream.text().length > notified, { what: 'more traffic on the staying stream' });
    expect(stayingStream.text()).not.toContain('session-ended');
  });

  it('ends the streams of a session whose refresh token is presented twice (the family is revoked)', async () => {
    const first = await login();
    const bystander = await login();
    const firstStream = await stream(first);
    const bystanderStream = await stream(bystander);
    // The owner rotates; the old token comes back (a thief, a replay): every token of the login dies.
    const rotated = await post('refresh', { refreshToken: first.refreshToken });
    expect(rotated.status).toBe(200);
    const rotatedStream = await stream((await rotated.json()) as TokenPair);
    expect((await post('refresh', { refreshToken: first.refreshToken })).status).toBe(401);

    for (const ended of [firstStream, rotatedStream]) {
      await withTimeout(ended.ended, END_WITHIN_MS, 'the revoked session’s streams to end');
      expect(ended.text()).toMatch(endedFrame('REFRESH_TOKEN_REUSED'));
    }
    expect(bystanderStream.text()).not.toContain('session-ended');
    // Its token opens a stream still.
    await stream(bystander);
  });
});
