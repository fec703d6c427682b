import { PrismaClientKnownRequestError } from '@prisma/client/runtime/client';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { databaseUnavailableReason } from './unavailable.ts';

const known = (message: string, code: string, meta: Record<string, unknown> = {}) =>
  new PrismaClientKnownRequestError(message, { code, clientVersion: '7.10.0', meta });

const driver = (cause: Record<string, unknown>) => ({ driverAdapterError: { name: 'DriverAdapterError', cause } });

/** A node-postgres error as Prisma passes it on: the same Error, with Prisma's `clientVersion` added. */
const passedOn = (message: string) => Object.assign(new Error(message), { clientVersion: '7.10.0' });

const serverError = (code: string, message: string) =>
  Object.assign(new pg.DatabaseError(message, 0, 'error'), { code });

// The shapes below are what Prisma 7.10 with @prisma/adapter-pg raised against a real PostgreSQL
// that was stopped, restarted in immediate mode, or whose backends were terminated.
describe('databaseUnavailableReason', () => {
  it('knows a server that does not answer, for model queries, transactions and raw queries', () => {
    const notReachable = driver({ kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 41985 });
    expect(
      databaseUnavailableReason(known("Can't reach database server at 127.0.0.1:41985", 'P1001', notReachable)),
    ).toBe('unreachable');
    expect(
      databaseUnavailableReason(
        known(
          "Raw query failed. Code: `N/A`. Message: `Can't reach database server at 127.0.0.1:41985`",
          'P2010',
          notReachable,
        ),
      ),
    ).toBe('unreachable');
    expect(databaseUnavailableReason(known('Database server was reached but timed out.', 'P1002'))).toBe('timeout');
    expect(
      databaseUnavailableReason(known('Operation has timed out', 'P1008', driver({ kind: 'SocketTimeout' }))),
    ).toBe('timeout');
  });

  it('knows a connection the server closed or ended', () => {
    expect(
      databaseUnavailableReason(
        known('Server has closed the connection.', 'P1017', driver({ kind: 'ConnectionClosed' })),
      ),
    ).toBe('connection-closed');
    const terminated = driver({
      originalCode: '57P01',
      originalMessage: 'terminating connection due to administrator command',
      kind: 'postgres',
      code: '57P01',
      severity: 'FATAL',
    });
    expect(
      databaseUnavailableReason(
        known(
          'Raw query failed. Code: `57P01`. Message: `terminating connection due to administrator command`',
          'P2010',
          terminated,
        ),
      ),
    ).toBe('admin-shutdown');
    expect(
      databaseUnavailableReason(
        known('Database error. Code: `57P02`.', 'P2039', driver({ kind: 'postgres', originalCode: '57P02' })),
      ),
    ).toBe('admin-shutdown');
    expect(
      databaseUnavailableReason(
        known(
          'Database error. Code: `57P03`. Message: `the database system is starting up`',
          'P2039',
          driver({
            kind: 'postgres',
            originalCode: '57P03',
          }),
        ),
      ),
    ).toBe('cannot-connect-now');
    expect(
      databaseUnavailableReason(known('Database error.', 'P2039', driver({ kind: 'postgres', originalCode: '08006' }))),
    ).toBe('connection-failure');
  });

  it("knows node-postgres' own errors, raised by it or passed on by Prisma, with or without Prisma's call site", () => {
    expect(databaseUnavailableReason(passedOn('Connection terminated unexpectedly'))).toBe('connection-closed');
    expect(databaseUnavailableReason(passedOn('Client has encountered a connection error and is not queryable'))).toBe(
      'connection-closed',
    );
    expect(
      databaseUnavailableReason(
        passedOn('\nInvalid `prisma.order.findFirst()` invocation:\n\n\nConnection terminated unexpectedly'),
      ),
    ).toBe('connection-closed');
    expect(databaseUnavailableReason(new Error('Connection terminated unexpectedly'))).toBe('connection-closed');
    expect(databaseUnavailableReason(serverError('57P01', 'terminating connection due to administrator command'))).toBe(
      'admin-shutdown',
    );
    expect(databaseUnavailableReason(serverError('57P03', 'the database system is shutting down'))).toBe(
      'cannot-connect-now',
    );
    expect(databaseUnavailableReason(serverError('23505', 'duplicate key value violates unique constraint'))).toBe(
      undefined,
    );
  });

  it('knows a socket error the driver raised under a Prisma query, which Prisma passes on marked as its own', () => {
    const socket = (code: string) =>
      Object.assign(new Error(`write ${code}`), { code, syscall: 'write', errno: -32, clientVersion: '7.10.0' });
    expect(databaseUnavailableReason(socket('EPIPE'))).toBe('connection-closed');
    expect(databaseUnavailableReason(socket('EHOSTUNREACH'))).toBe('unreachable');
    expect(databaseUnavailableReason(socket('ETIMEDOUT'))).toBe('timeout');
    expect(databaseUnavailableReason(socket('EACCES'))).toBeUndefined();
  });

  it('knows a driver adapter error on its own', () => {
    const error = Object.assign(new Error('ConnectionClosed'), {
      name: 'DriverAdapterError',
      cause: { kind: 'ConnectionClosed' },
    });
    expect(databaseUnavailableReason(error)).toBe('connection-closed');
  });

  it("leaves out other database errors, overload, and the server's other codes", () => {
    expect(databaseUnavailableReason(known('Unique constraint failed on the fields: (`id`)', 'P2002'))).toBeUndefined();
    expect(
      databaseUnavailableReason(
        known('Transaction API error: Unable to start a transaction in the given time.', 'P2028'),
      ),
    ).toBeUndefined();
    expect(
      databaseUnavailableReason(
        known('Raw query failed.', 'P2010', driver({ kind: 'postgres', originalCode: '40P01' })),
      ),
    ).toBeUndefined();
    expect(databaseUnavailableReason(known('Operation has timed out', 'P1008'))).toBeUndefined();
    expect(databaseUnavailableReason(passedOn('timeout exceeded when trying to connect'))).toBeUndefined();
    expect(
      databaseUnavailableReason(passedOn('Something went wrong: Connection terminated unexpectedly')),
    ).toBeUndefined();
  });

  it("judges the error itself: a socket error, or a database error in another error's cause, is not the database being down", () => {
    // A payment provider's (or anyone's) socket errors carry the same codes pg's would.
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT']) {
      const socket = Object.assign(new Error(`read ${code}`), { code, syscall: 'read', errno: -104 });
      expect(databaseUnavailableReason(socket)).toBeUndefined();
      expect(databaseUnavailableReason(new Error('the provider failed', { cause: socket }))).toBeUndefined();
    }
    const down = known("Can't reach database server", 'P1001');
    expect(databaseUnavailableReason(new Error('wrapped', { cause: down }))).toBeUndefined();
    expect(databaseUnavailableReason(Object.assign(new Error('P1001'), { code: 'P1001' }))).toBeUndefined();
    expect(databaseUnavailableReason(Object.assign(new Error('server said so'), { code: '57P01' }))).toBeUndefined();
    expect(databaseUnavailableReason(new Error('Connection terminated unexpectedly', { cause: undefined }))).toBe(
      'connection-closed',
    );
    for (const value of [
      undefined,
      null,
      'Connection terminated unexpectedly',
      42,
      { code: 'P1001', clientVersion: '7' },
    ]) {
      expect(databaseUnavailableReason(value)).toBeUndefined();
    }
  });
});
