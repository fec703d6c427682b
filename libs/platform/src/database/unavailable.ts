import pg from 'pg';

/**
 * Which errors mean "the database is not there now" (down, restarting, or the connection was
 * lost), as Prisma 7 with `@prisma/adapter-pg` (node-postgres) raises them. Each is judged by its
 * own kind, never by a code found in some other error's cause: a payment provider's ECONNRESET is
 * not the database's. What was seen against a real server:
 *
 * - `unreachable`: nothing listens (the server is stopped): P1001, or a raw query's P2010 whose
 *   driver adapter error is `DatabaseNotReachable` (pg's ECONNREFUSED/ENOTFOUND).
 * - `connection-closed`: the server closed the connection (ECONNRESET, a restart): P1017, or a
 *   `ConnectionClosed` driver adapter error; and node-postgres' own errors, which Prisma passes on
 *   as they are: "Connection terminated unexpectedly" (the socket ended under a query or an open
 *   transaction) and "Client has encountered a connection error and is not queryable" (the next
 *   query of that transaction).
 * - `timeout`: the server was reached but did not answer in time: P1002, or P1008 from a
 *   `SocketTimeout` driver adapter error (pg's ETIMEDOUT).
 * - `admin-shutdown`: the server ended the session: PostgreSQL 57P01 (pg_terminate_backend, a fast
 *   or immediate shutdown) or 57P02 (crash of another backend).
 * - `cannot-connect-now`: the server is starting up, shutting down or recovering: 57P03.
 * - `connection-failure`: PostgreSQL's connection exception class 08 (08000, 08001, 08003, 08004,
 *   08006).
 *
 * A socket error (EPIPE, ECONNRESET, …) counts only as Prisma passes it on from a query, marked
 * with its `clientVersion`: the same codes from anyone else's socket are not the database's.
 *
 * The server codes arrive as P2010 (raw queries) or P2039 (model queries) whose driver adapter error
 * carries `originalCode`, or as node-postgres' DatabaseError itself. A pool that gave no connection
 * in time is overload (overload.ts), not an outage.
 */
export type DatabaseUnavailableReason =
  'unreachable' | 'connection-closed' | 'timeout' | 'admin-shutdown' | 'cannot-connect-now' | 'connection-failure';

const BY_PRISMA_CODE: Record<string, DatabaseUnavailableReason> = {
  P1001: 'unreachable',
  P1002: 'timeout',
  P1017: 'connection-closed',
};

const BY_DRIVER_KIND: Record<string, DatabaseUnavailableReason> = {
  DatabaseNotReachable: 'unreachable',
  ConnectionClosed: 'connection-closed',
  SocketTimeout: 'timeout',
};

function bySqlState(code: unknown): DatabaseUnavailableReason | undefined {
  if (typeof code !== 'string') return undefined;
  if (code === '57P01' || code === '57P02') return 'admin-shutdown';
  if (code === '57P03') return 'cannot-connect-now';
  if (/^08[0-9A-Z]{3}$/.test(code)) return 'connection-failure';
  return undefined;
}

// Socket errors the adapter does not convert (it knows ECONNREFUSED, ENOTFOUND, ECONNRESET and
// ETIMEDOUT), which Prisma passes on with its `clientVersion`: only then are they the database's.
const SOCKET_ERRORS: Record<string, DatabaseUnavailableReason> = {
  EPIPE: 'connection-closed',
  ECONNABORTED: 'connection-closed',
  ECONNRESET: 'connection-closed',
  ECONNREFUSED: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  ENOTFOUND: 'unreachable',
  ETIMEDOUT: 'timeout',
};

// node-postgres raises these as plain Errors, without a code; their messages are all that identify them.
const PG_CLIENT_ERRORS: Record<string, DatabaseUnavailableReason> = {
  'Connection terminated unexpectedly': 'connection-closed',
  'Client has encountered a connection error and is not queryable': 'connection-closed',
};

/** A driver adapter error (`{ name: 'DriverAdapterError', cause: { kind, originalCode } }`), as Prisma carries it in `meta`. */
function byDriverAdapterError(value: unknown): DatabaseUnavailableReason | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { name, cause } = value as { name?: unknown; cause?: { kind?: unknown; originalCode?: unknown } };
  if (name !== 'DriverAdapterError' || typeof cause !== 'object' || cause === null) return undefined;
  if (typeof cause.kind === 'string' && Object.hasOwn(BY_DRIVER_KIND, cause.kind)) return BY_DRIVER_KIND[cause.kind];
  return cause.kind === 'postgres' ? bySqlState(cause.originalCode) : undefined;
}

/** Prisma's errors carry `clientVersion`; a known request error has a `P…` code and may carry the driver's error in `meta`. */
function byPrismaError(error: Error & { code?: unknown; meta?: unknown }): DatabaseUnavailableReason | undefined {
  const driver = byDriverAdapterError((error.meta as { driverAdapterError?: unknown } | undefined)?.driverAdapterError);
  if (typeof error.code === 'string' && Object.hasOwn(BY_PRISMA_CODE, error.code)) return BY_PRISMA_CODE[error.code];
  if (error.code === 'P1008') return driver === 'timeout' ? 'timeout' : undefined;
  const { syscall } = error as { syscall?: unknown };
  if (typeof syscall === 'string' && typeof error.code === 'string' && Object.hasOwn(SOCKET_ERRORS, error.code)) {
    return SOCKET_ERRORS[error.code];
  }
  return driver;
}

/**
 * Why `error` means the database is unavailable (down, restarting, or the connection lost), or
 * undefined if it does not. Judges the error itself, not its causes (see the type above).
 */
export function databaseUnavailableReason(error: unknown): DatabaseUnavailableReason | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error instanceof pg.DatabaseError) return bySqlState(error.code);
  if (error.name === 'DriverAdapterError') return byDriverAdapterError(error);
  const { code, clientVersion } = error as { code?: unknown; clientVersion?: unknown };
  const throughPrisma = typeof clientVersion === 'string';
  if (code === undefined) {
    // Prisma may put the call site in front of the message ("Invalid `…` invocation: …").
    const pgMessage = throughPrisma ? error.message.split('\n').at(-1)! : error.message;
    if (Object.hasOwn(PG_CLIENT_ERRORS, pgMessage)) return PG_CLIENT_ERRORS[pgMessage];
  }
  return throughPrisma ? byPrismaError(error) : undefined;
}
