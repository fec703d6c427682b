import pg from 'pg';
import { pgConfig } from './prisma.ts';

export interface PgListenerOptions {
  databaseUrl: string;
  channels: string[];
  onNotification(message: pg.Notification): void;
  /** After each (re)connect: whatever was notified while nobody listened is due now. */
  onListening?(): void;
  /** Pause between reconnect attempts. */
  retryMs: number;
  logger: { warn(obj: object, msg: string): void };
  /** Names the listener in its log line. */
  name: string;
}

/**
 * A dedicated connection that LISTENs on channels and reconnects when it drops. Callers also poll:
 * a notification lost while the connection is down only delays work until the next poll.
 */
export class PgListener {
  private running = false;
  private client?: pg.Client;
  private loop?: Promise<void>;
  private cancelPause?: () => void;
  private connected = false;

  constructor(private readonly options: PgListenerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.listen();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.cancelPause?.();
    await this.client?.end().catch(() => undefined);
    await this.loop;
  }

  /** Whether the LISTEN connection is up now. */
  get isListening(): boolean {
    return this.connected;
  }

  private async listen(): Promise<void> {
    let failures = 0;
    while (this.running) {
      const client = new pg.Client({ ...pgConfig(this.options.databaseUrl), connectionTimeoutMillis: 5_000 });
      // Known to stop() from the start, so a stop during connect ends it too.
      this.client = client;
      try {
        // Listened for from the start: an 'error' event nobody hears ends the process.
        const ended = new Promise<Error | undefined>((resolve) => {
          client.once('end', () => resolve(undefined));
          client.on('error', (error) => resolve(error));
        });
        await client.connect();
        if (!this.running) break;
        client.on('notification', (message) => this.options.onNotification(message));
        for (const channel of this.options.channels) await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
        this.connected = true;
        failures = 0;
        this.options.onListening?.();
        const lost = await ended;
        if (this.running) {
          this.options.logger.warn({ err: lost }, `${this.options.name}: LISTEN connection lost; reconnecting`);
        }
      } catch (error) {
        // Once per outage, not once per reconnect attempt.
        if (this.running && failures++ === 0) {
          this.options.logger.warn({ err: error }, `${this.options.name}: LISTEN connection failed; polling meanwhile`);
        }
      } finally {
        this.connected = false;
        this.client = undefined;
        await client.end().catch(() => undefined);
      }
      if (this.running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.options.retryMs);
          this.cancelPause = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }
}
