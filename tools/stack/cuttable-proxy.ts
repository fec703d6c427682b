// A TCP proxy that can cut one app off from a server (PostgreSQL, the broker's chaos listener),
// as `npm run stack` puts it in front of STACK_PROXY_APP for `npm run drill:chaos`. Two ways to cut:
// - refuse: the listener closes and open connections are reset, as when the server's host is up
//   but nothing listens (ECONNREFUSED, ECONNRESET at once);
// - blackhole: open connections stay open but nothing passes any more, and new ones are accepted
//   and left hanging, as when the network drops every packet (only timeouts notice). On restore
//   those connections are reset, as a peer that long gave up on them would.
import { connect, createServer, type Server, type Socket } from 'node:net';

export type CutMode = 'refuse' | 'blackhole';

interface Pair {
  client: Socket;
  upstream?: Socket;
}

export class CuttableProxy {
  private server?: Server;
  private readonly pairs = new Set<Pair>();
  private mode: CutMode | undefined;

  constructor(
    private readonly target: { host: string; port: number },
    /** 0 for any free port; read `port` after start(). */
    public port = 0,
  ) {}

  get cut(): CutMode | undefined {
    return this.mode;
  }

  async start(): Promise<this> {
    await this.listen();
    return this;
  }

  async cutOff(mode: CutMode): Promise<void> {
    if (this.mode) return;
    this.mode = mode;
    if (mode === 'refuse') {
      // The listener's close completes once its connections are gone: they are reset first.
      const closed = this.closeListener();
      for (const pair of this.pairs) this.reset(pair);
      await closed;
    } else {
      for (const { client, upstream } of this.pairs) {
        client.unpipe();
        upstream?.unpipe();
        client.pause();
        upstream?.pause();
      }
    }
  }

  async restore(): Promise<void> {
    const mode = this.mode;
    if (!mode) return;
    this.mode = undefined;
    if (mode === 'refuse') await this.listen();
    else for (const pair of this.pairs) this.reset(pair);
  }

  async close(): Promise<void> {
    const closed = this.closeListener();
    for (const pair of this.pairs) this.reset(pair);
    await closed;
  }

  private reset(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    for (const socket of [pair.client, pair.upstream]) if (socket && !socket.destroyed) socket.resetAndDestroy();
  }

  private closeListener(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  private listen(): Promise<void> {
    const server = createServer((client) => {
      const pair: Pair = { client };
      this.pairs.add(pair);
      client.on('error', () => this.reset(pair));
      client.on('close', () => this.reset(pair));
      // Blackholed: accepted, and left hanging with nothing behind it.
      if (this.mode === 'blackhole') return client.pause();
      const upstream = connect(this.target.port, this.target.host);
      pair.upstream = upstream;
      upstream.on('error', () => this.reset(pair));
      upstream.on('close', () => this.reset(pair));
      client.pipe(upstream).pipe(client);
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        this.port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  }
}
