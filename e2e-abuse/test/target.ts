import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authApp } from '@commerce/auth-app';
import { SERVICES, type ServiceName } from '@commerce/contracts';
import { inventoryApp } from '@commerce/inventory-app';
import { notificationApp } from '@commerce/notification-app';
import { orderApp } from '@commerce/order-app';
import { paymentApp } from '@commerce/payment-app';
import {
  adminQuery,
  startTestSmtpServer,
  startTestStack,
  type TestSmtpServer,
  type TestStack,
  testKafka,
  waitFor,
} from '@commerce/testing';
import { exportPKCS8, generateKeyPair } from 'jose';
import pg from 'pg';
import { Tally } from './tally.ts';

export const ADMIN = { email: 'admin@abuse.test', password: 'admin-password-abuse' };

/**
 * Tables a refused request is meant to change: every login attempt and registration is counted
 * before it is judged (docs/contract.md, auth), so a 401 or 429 there writes a row on purpose.
 */
export const COUNTED_ON_REFUSAL = new Set(['auth.login_throttle']);

/** The limits the suite checks, as docs/contract.md gives them; each customer it makes registers from an address of its own. */
export const LIMITS = {
  REGISTER_MAX_PER_ADDRESS: '10',
  LOGIN_MAX_FAILURES_PER_EMAIL: '5',
  LOGIN_MAX_FAILURES_PER_ADDRESS: '20',
  SSE_MAX_STREAMS_PER_USER: '5',
};

/** What each app's consumer group reads (docs/contract.md, choreography). */
const CONSUMES: Record<string, string[]> = {
  order: ['product.upserted', 'inventory.reserved', 'inventory.rejected', 'payment.authorized', 'payment.failed'],
  payment: ['order.placed', 'order.confirmed', 'order.cancelled'],
  inventory: ['order.placed', 'order.confirmed', 'order.cancelled'],
  notification: ['user.created', 'order.placed', 'order.confirmed', 'order.cancelled'],
};

/** Node's HTTP server's limit on a request's head (--max-http-header-size), past which it answers 431. */
const MAX_HEADER_BYTES = 16 * 1024;

/** One request as an attacker sends it: any method, path, headers and raw body bytes. */
export interface HostileRequest {
  service: ServiceName;
  method: string;
  /** After the app's prefix, already percent-encoded where it must be (e.g. `/abc?limit=1`). */
  path: string;
  headers?: Record<string, string | string[]>;
  /** A value is sent as JSON; a string or Buffer as it is. */
  body?: unknown;
  raw?: string | Buffer;
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * The five apps in-process on the real Kafka and PostgreSQL (libs/testing, as e2e starts them),
 * a real SMTP server, and the signing keys the test made itself (current and rotated-out), so
 * it can sign tokens with wrong claims under auth's own key.
 */
export class Target {
  readonly tally = new Tally();
  private baseline?: Map<string, string>;
  private probe!: pg.Client;
  private checksumSql = '';

  private constructor(
    readonly stack: TestStack,
    readonly smtp: TestSmtpServer,
    readonly keys: { dir: string; currentPem: string; previousPem: string },
  ) {}

  static async open(env: Record<string, string> = {}): Promise<Target> {
    const smtp = await startTestSmtpServer();
    const dir = mkdtempSync(join(tmpdir(), 'abuse-keys-'));
    const pem = async () =>
      exportPKCS8((await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })).privateKey);
    const keys = { dir, currentPem: await pem(), previousPem: await pem() };
    writeFileSync(join(dir, 'current.pem'), keys.currentPem, { mode: 0o600 });
    writeFileSync(join(dir, 'previous.pem'), keys.previousPem, { mode: 0o600 });
    const stack = await startTestStack(
      { auth: authApp, order: orderApp, payment: paymentApp, inventory: inventoryApp, notification: notificationApp },
      {
        SMTP_URL: smtp.url,
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        AUTH_SIGNING_KEY_FILE: join(dir, 'current.pem'),
        AUTH_PREVIOUS_SIGNING_KEY_FILE: join(dir, 'previous.pem'),
        CONSUMER_RETRY_INITIAL_MS: '50',
        OUTBOX_POLL_INTERVAL_MS: '200',
        MAIL_POLL_INTERVAL_MS: '200',
        // Streams end within a beat of their token's expiry: a short beat keeps that check short.
        SSE_HEARTBEAT_MS: '300',
        // The suite judges what input does, not load shedding: a busy 2-core CI machine is often
        // 100 ms late by itself, and a 503 for that would hide nothing the suite is about.
        HTTP_MAX_EVENT_LOOP_DELAY_MS: '2000',
        // The limits as docs/contract.md gives them (the test stack lifts the register limit for e2e).
        ...LIMITS,
        ...env,
      },
    );
    const target = new Target(stack, smtp, keys);
    await target.openProbe();
    return target;
  }

  async close(): Promise<void> {
    await this.probe?.end().catch(() => undefined);
    await this.stack.close();
    await this.smtp.close();
    rmSync(this.keys.dir, { recursive: true, force: true });
  }

  /** Sends `req` as it is and reads the whole answer (or only the head of an event stream). */
  send(req: HostileRequest): Promise<Answer> {
    const url = new URL(this.stack.url(req.service));
    const body =
      req.raw !== undefined
        ? Buffer.isBuffer(req.raw)
          ? req.raw
          : Buffer.from(req.raw)
        : req.body !== undefined
          ? Buffer.from(JSON.stringify(req.body))
          : undefined;
    const headers: Record<string, string | string[]> = {
      ...(body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {}),
      ...req.headers,
    };
    return new Promise<Answer>((resolve, reject) => {
      const outgoing = httpRequest(
        { host: url.hostname, port: url.port, method: req.method, path: `${url.pathname}${req.path}`, headers },
        (res) => {
          const answer = { status: res.statusCode ?? 0, headers: res.headers, text: '' };
          if (String(res.headers['content-type']).startsWith('text/event-stream')) {
            // A stream that opened: its head is the answer; the test that wants its frames opens its own.
            res.destroy();
            resolve(answer);
            return;
          }
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ ...answer, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      outgoing.setTimeout(30_000, () => outgoing.destroy(new Error(`no answer in 30 s: ${req.method} ${req.path}`)));
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        // A head past Node's limit (16 KB) is answered 431 and the connection closed while the
        // client may still be writing: the refusal arrives as a reset. Nothing of it reached an app.
        const head = req.path.length + JSON.stringify(headers).length;
        if (head > MAX_HEADER_BYTES && (error.code === 'ECONNRESET' || error.code === 'EPIPE'))
          resolve({ status: 0, headers: {}, text: '(connection closed: request head over 16 KB)' });
        else reject(error);
      });
      outgoing.end(body);
    });
  }

  /**
   * Writes `head` (and `body`) to a socket of `service` byte for byte: what no HTTP client sends
   * (NUL or a bare CR in a header, two Content-Lengths, a chunked body that lies). Resolves with
   * the status line's code, or 0 when the server closed the connection without an answer.
   */
  sendRaw(service: ServiceName, bytes: Buffer): Promise<Answer> {
    const url = new URL(this.stack.url(service));
    return new Promise<Answer>((resolve, reject) => {
      const socket = connect({ host: url.hostname, port: Number(url.port) });
      const chunks: Buffer[] = [];
      const done = () => {
        const text = Buffer.concat(chunks).toString('latin1');
        const status = /^HTTP\/1\.[01] (\d{3})/.exec(text);
        resolve({ status: status ? Number(status[1]) : 0, headers: {}, text });
      };
      socket.setTimeout(5000, () => socket.destroy());
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        // One answer is enough: a server keeping the connection open would wait for the next request.
        if (/\r\n\r\n/.test(Buffer.concat(chunks).toString('latin1'))) socket.end();
      });
      socket.on('close', done);
      socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
      socket.write(bytes);
    });
  }

  /** As hostile(), for bytes written to a socket as they are (see sendRaw); a closed connection counts as refused. */
  async hostileRaw(category: string, service: ServiceName, bytes: Buffer): Promise<Answer> {
    this.baseline ??= await this.settledChecksum();
    const answer = await this.sendRaw(service, bytes);
    const changed = diff(this.baseline, await this.checksum());
    // Status 0: the server hung up without an answer, a refusal (the table counts it with the 4xx).
    this.tally.record(category, answer.status, changed.length > 0, false);
    if (answer.status >= 500 || changed.length > 0) {
      this.baseline = undefined;
      throw new Error(
        `${category}: ${JSON.stringify(bytes.toString('latin1').slice(0, 300))} -> ${answer.status}` +
          (changed.length ? ` and changed ${changed.join(', ')}` : '') +
          `\n  answer: ${answer.text.slice(0, 300)}`,
      );
    }
    return answer;
  }

  /**
   * Sends a hostile request and judges it: never a 5xx; and unless it was a change the API
   * accepted (a 2xx to anything but GET), the database is as it was before (every table of the five
   * schemas, by checksum, but those in COUNTED_ON_REFUSAL). An accepted change is waited out and
   * becomes the new baseline. Throws, naming the request, on a 5xx or a change.
   */
  async hostile(category: string, req: HostileRequest): Promise<Answer> {
    this.baseline ??= await this.settledChecksum();
    let answer: Answer;
    try {
      answer = await this.send(req);
    } catch (error) {
      // The client could not even send it (a header Node refuses): not an attack the app saw.
      if (
        /^ERR_(INVALID_CHAR|INVALID_HTTP_TOKEN|UNESCAPED_CHARACTERS)$/.test((error as NodeJS.ErrnoException).code ?? '')
      ) {
        this.tally.unsendable(category);
        return { status: 0, headers: {}, text: '' };
      }
      throw error;
    }
    const accepted = answer.status >= 200 && answer.status < 400 && req.method !== 'GET';
    let changed = diff(this.baseline, await this.checksum());
    // What the API accepted may change the database, and what follows from it (events, emails)
    // goes on after the answer: the next request waits for quiet and takes a new baseline.
    if (accepted && changed.length > 0) {
      this.baseline = undefined;
      changed = [];
    }
    this.tally.record(category, answer.status, changed.length > 0, accepted);
    if (answer.status >= 500 || changed.length > 0) {
      // The next request needs a baseline of its own, whatever this one did.
      this.baseline = undefined;
      throw new Error(
        `${category}: ${req.method} ${req.path} -> ${answer.status}` +
          (changed.length ? ` and changed ${changed.join(', ')}` : '') +
          `\n  headers: ${JSON.stringify(req.headers ?? {}).slice(0, 400)}` +
          `\n  body: ${describeBody(req).slice(0, 400)}\n  answer: ${answer.text.slice(0, 400)}`,
      );
    }
    return answer;
  }

  /** Whether the database is unchanged since the last baseline (for what is not an HTTP request). */
  async unchanged(): Promise<string[]> {
    this.baseline ??= await this.settledChecksum();
    return diff(this.baseline, await this.checksum());
  }

  /** Forgets the baseline: the next hostile request waits for quiet and takes a new one. */
  invalidate(): void {
    this.baseline = undefined;
  }

  /** Waits until nothing is in flight: no PENDING order, every outbox row and email sent, every event read. */
  async quiescent(): Promise<void> {
    const pending = async () => {
      const [row] = await adminQuery<{ n: string }>(
        this.stack.database,
        `SELECT (SELECT count(*) FROM orders.orders WHERE status = 'PENDING')
              + (SELECT count(*) FROM orders.outbox WHERE published_at IS NULL)
              + (SELECT count(*) FROM payments.outbox WHERE published_at IS NULL)
              + (SELECT count(*) FROM inventory.outbox WHERE published_at IS NULL)
              + (SELECT count(*) FROM auth.outbox WHERE published_at IS NULL)
              + (SELECT count(*) FROM notifications.notifications WHERE sent_at IS NULL) AS n`,
      );
      return Number(row!.n);
    };
    const opts = { what: 'orders, outboxes and emails to settle', timeoutMs: 30_000 };
    await waitFor(async () => (await pending()) === 0, opts);
    await this.consumed();
    await waitFor(async () => (await pending()) === 0, opts);
  }

  private async consumed(): Promise<void> {
    const admin = testKafka().admin();
    await admin.connect();
    try {
      await waitFor(
        async () => {
          for (const [service, types] of Object.entries(CONSUMES)) {
            const topics = types.map((t) => `${this.stack.prefix}${t}`);
            const committed = await admin.fetchOffsets({ groupId: `${this.stack.prefix}${service}`, topics });
            for (const { topic, partitions } of committed) {
              for (const end of await admin.fetchTopicOffsets(topic)) {
                const at = partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
                if (Number(end.high) > 0 && Number(at) < Number(end.high)) return false;
              }
            }
          }
          return true;
        },
        { what: 'every consumer group to reach the end of its topics', timeoutMs: 30_000 },
      );
    } finally {
      await admin.disconnect();
    }
  }

  /** The checksum once nothing is in flight, and again until two in a row agree. */
  private async settledChecksum(): Promise<Map<string, string>> {
    await this.quiescent();
    return waitFor(
      async () => {
        const first = await this.checksum();
        await new Promise((resolve) => setTimeout(resolve, 200));
        return diff(first, await this.checksum()).length === 0 && first;
      },
      { what: 'the database to hold still', timeoutMs: 20_000 },
    );
  }

  private async openProbe(): Promise<void> {
    this.probe = new pg.Client({ connectionString: this.stack.database.adminUrl });
    await this.probe.connect();
    const schemas = Object.values(SERVICES).map((s) => s.schema);
    const { rows } = await this.probe.query<{ name: string }>(
      `SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) AS name FROM information_schema.tables
       WHERE table_schema = ANY($1) AND table_type = 'BASE TABLE' ORDER BY 1`,
      [schemas],
    );
    const tables = rows.map((r) => r.name).filter((name) => !COUNTED_ON_REFUSAL.has(name));
    // One statement for every table: a row's text form covers every column.
    this.checksumSql = tables
      .map((t) => `SELECT '${t}' AS t, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM ${t} x`)
      .join(' UNION ALL ');
  }

  private async checksum(): Promise<Map<string, string>> {
    const { rows } = await this.probe.query<{ t: string; h: string }>(this.checksumSql);
    return new Map(rows.map((r) => [r.t, r.h]));
  }
}

function diff(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after].filter(([t, h]) => before.get(t) !== h).map(([t]) => t);
}

function describeBody(req: HostileRequest): string {
  if (req.raw !== undefined) {
    const text = req.raw.toString();
    return text.length > 200 ? `${text.slice(0, 100)}… (${text.length} chars) …${text.slice(-50)}` : text;
  }
  return req.body === undefined ? '(none)' : JSON.stringify(req.body);
}
