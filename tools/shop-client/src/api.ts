// The HTTP side of the load benchmark and the chaos drill: one call to an app (never throws: a
// network error is a reply too), a client's retry policy (same request again, honouring
// Retry-After), sessions that log in again when their token expires, and a small pool for bounded
// fan-out.
import { SERVICES, type ServiceName } from '@commerce/contracts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of the API, checked where it is read
export type Json = any;

export interface Reply {
  /** The HTTP status, or 'error' when no response came (refused, reset, timed out). */
  status: number | 'error';
  body: Json;
  retryAfterMs?: number;
  error?: string;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Only this machine: the benchmark never sends traffic anywhere else. */
export function assertLocal(url: string, what: string): void {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
    throw new Error(`${what} must be on this machine (127.0.0.1 or localhost), not ${host}`);
  }
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date. */
function retryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

export class Api {
  constructor(
    /** The gateway (every app under one origin by prefix), or undefined for each app on its own port. */
    private readonly gateway: string | undefined,
    private readonly timeoutMs = 30_000,
  ) {}

  base(service: ServiceName): string {
    return `${this.gateway ?? `http://127.0.0.1:${SERVICES[service].port}`}/${SERVICES[service].prefix}`;
  }

  async call(service: ServiceName, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
    try {
      const response = await fetch(`${this.base(service)}${path}`, {
        method,
        headers: {
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...options.headers,
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await response.text();
      let body: Json = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON (a gateway's own error page): keep the text
      }
      return { status: response.status, body, retryAfterMs: retryAfter(response.headers.get('retry-after')) };
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return { status: 'error', body: undefined, error: cause ?? (error as Error).name ?? String(error) };
    }
  }
}

/** What a real client retries: no response, a 5xx, a 429. */
export function retryable(reply: Reply): boolean {
  return reply.status === 'error' || reply.status === 429 || reply.status >= 500;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends the same request again while it is retryable, at most `attempts` times in all: after the
 * server's Retry-After (capped at `maxDelayMs`), else exponential backoff from 250 ms with jitter.
 * `onReply` sees every attempt's reply.
 */
export async function withRetries(
  send: () => Promise<Reply>,
  options: { attempts: number; maxDelayMs?: number; onReply?: (reply: Reply) => void },
): Promise<Reply & { attempts: number }> {
  const maxDelayMs = options.maxDelayMs ?? 10_000;
  for (let attempt = 1; ; attempt++) {
    const reply = await send();
    options.onReply?.(reply);
    if (!retryable(reply) || attempt >= options.attempts) return { ...reply, attempts: attempt };
    const backoff = Math.min(4_000, 250 * 2 ** (attempt - 1)) * (0.75 + Math.random() / 2);
    await sleep(Math.min(maxDelayMs, reply.retryAfterMs ?? backoff));
  }
}

/** A user with a password: logs in once, and again when a call answers 401 (an expired token). */
export class Session {
  token = '';
  id = '';

  constructor(
    private readonly api: Api,
    readonly email: string,
    private readonly password: string,
  ) {}

  async login(): Promise<void> {
    // Logins are throttled through the compose gateway (10 a minute): Retry-After says when.
    const reply = await withRetries(
      () => this.api.call('auth', 'POST', '/login', { body: { email: this.email, password: this.password } }),
      { attempts: 20, maxDelayMs: 60_000 },
    );
    if (reply.status !== 200) throw new Error(`login as ${this.email}: ${reply.status} ${JSON.stringify(reply.body)}`);
    this.token = reply.body.accessToken;
  }

  /** One call as this user (retried as `withRetries` does), logging in again once on a 401. */
  async call(
    service: ServiceName,
    method: string,
    path: string,
    options: Omit<CallOptions, 'token'> & { attempts?: number; onReply?: (reply: Reply) => void } = {},
  ): Promise<Reply & { attempts: number }> {
    const send = () =>
      withRetries(() => this.api.call(service, method, path, { ...options, token: this.token }), {
        attempts: options.attempts ?? 3,
        onReply: options.onReply,
      });
    const reply = await send();
    if (reply.status !== 401) return reply;
    await this.login();
    return send();
  }
}

/** `fn` over `items`, at most `concurrency` at a time; results in the order of `items`. */
export async function pool<T, R>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<R>) {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await fn(items[index]!, index);
      }
    }),
  );
  return results;
}

/** Polls `probe` every `everyMs` until it returns a value, or the deadline passes (then undefined). */
export async function until<T>(
  deadline: number,
  everyMs: number,
  probe: () => Promise<T | false | undefined>,
): Promise<T | undefined> {
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() + everyMs > deadline) return undefined;
    await sleep(everyMs);
  }
}
