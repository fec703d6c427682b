// A TCP proxy in front of PostgreSQL that reads what the client sends (the frontend protocol) and
// counts it: statements by kind, transactions (BEGIN), pg_notify calls and round trips. Only the
// client's side is read; the server's answers pass through untouched.
import { connect, createServer, type Server, type Socket } from 'node:net';

/** What the clients behind the proxy sent since it started (or since the last snapshot taken). */
export interface StatementCounts {
  /** Statements executed: simple queries and extended-protocol Executes. */
  statements: number;
  /** BEGINs: each interactive transaction starts with one. */
  transactions: number;
  /** Statements that call pg_notify. */
  notifies: number;
  /** Waits for the server: a simple query or a Sync each. */
  roundTrips: number;
  /** Statements by their first word (SELECT, UPDATE, BEGIN, COMMIT…). */
  byKind: Record<string, number>;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

/** Counts what passes; `snapshot()` returns the counts so far. */
export class StatementCounter {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private counts: StatementCounts = { statements: 0, transactions: 0, notifies: 0, roundTrips: 0, byKind: {} };
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<this> {
    const server = createServer((client) => this.proxy(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    return this;
  }

  /** `url` with its host and port replaced by the proxy's. */
  through(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  snapshot(): StatementCounts {
    return { ...this.counts, byKind: { ...this.counts.byKind } };
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private proxy(client: Socket): void {
    const upstream = connect(this.target.port, this.target.host);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    upstream.pipe(client);
    const read = this.reader();
    client.on('data', (chunk: Buffer) => {
      read(chunk);
      upstream.write(chunk);
    });
    client.on('end', () => upstream.end());
  }

  /** A reader of one connection's frontend messages, fed chunk by chunk. */
  private reader(): (chunk: Buffer) => void {
    let buffered: Buffer = Buffer.alloc(0);
    let untyped = true; // the startup message (and an SSL or GSS request before it) has no type byte
    const prepared = new Map<string, string>(); // statement name ('' = unnamed) → its text
    return (chunk) => {
      buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
      for (;;) {
        if (untyped) {
          if (buffered.length < 8) return;
          const length = buffered.readInt32BE(0);
          if (buffered.length < length) return;
          const code = buffered.readInt32BE(4);
          untyped = code === SSL_REQUEST || code === GSSENC_REQUEST;
          buffered = buffered.subarray(length);
          continue;
        }
        if (buffered.length < 5) return;
        const type = String.fromCharCode(buffered[0]);
        const length = buffered.readInt32BE(1);
        if (buffered.length < 1 + length) return;
        const body = buffered.subarray(5, 1 + length);
        buffered = buffered.subarray(1 + length);
        if (type === 'Q') {
          this.count(cstring(body, 0).text);
          this.counts.roundTrips++;
        } else if (type === 'P') {
          const name = cstring(body, 0);
          prepared.set(name.text, cstring(body, name.next).text);
        } else if (type === 'B') {
          // Bind: portal name, then the statement's name; the portal runs that statement's text.
          const portal = cstring(body, 0);
          const statement = cstring(body, portal.next).text;
          prepared.set(`portal:${portal.text}`, prepared.get(statement) ?? '');
        } else if (type === 'E') {
          this.count(prepared.get(`portal:${cstring(body, 0).text}`) ?? '');
        } else if (type === 'S') {
          this.counts.roundTrips++;
        }
      }
    };
  }

  private count(sql: string): void {
    const kind = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? '?';
    this.counts.statements++;
    this.counts.byKind[kind] = (this.counts.byKind[kind] ?? 0) + 1;
    if (kind === 'BEGIN' || kind === 'START') this.counts.transactions++;
    if (/pg_notify/i.test(sql)) this.counts.notifies++;
  }
}

function cstring(buffer: Buffer, start: number): { text: string; next: number } {
  const end = buffer.indexOf(0, start);
  return { text: buffer.toString('utf8', start, end), next: end + 1 };
}

/** `after` − `before`, field by field. */
export function difference(after: StatementCounts, before: StatementCounts): StatementCounts {
  const byKind: Record<string, number> = {};
  for (const [kind, n] of Object.entries(after.byKind)) {
    const d = n - (before.byKind[kind] ?? 0);
    if (d) byKind[kind] = d;
  }
  return {
    statements: after.statements - before.statements,
    transactions: after.transactions - before.transactions,
    notifies: after.notifies - before.notifies,
    roundTrips: after.roundTrips - before.roundTrips,
    byKind,
  };
}
