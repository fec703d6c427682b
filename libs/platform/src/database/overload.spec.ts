import { PrismaClientKnownRequestError } from '@prisma/client/runtime/client';
import { createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overloadReason } from './overload.ts';

const known = (message: string, code: string, meta: Record<string, unknown> = {}) =>
  new PrismaClientKnownRequestError(message, { code, clientVersion: '7.10.0', meta });

describe('overloadReason', () => {
  it('knows Prisma failing to start a transaction within maxWait (P2028), with or without the call site', () => {
    const message = 'Transaction API error: Unable to start a transaction in the given time.';
    expect(overloadReason(known(message, 'P2028'))).toBe('transaction-start-timeout');
    expect(overloadReason(known(`\nInvalid \`prisma.$transaction()\` invocation:\n\n\n${message}`, 'P2028'))).toBe(
      'transaction-start-timeout',
    );
  });

  it('knows the server refusing a connection over its connection limit (53300, P2037)', () => {
    expect(
      overloadReason(known('Too many database connections opened: sorry, too many clients already', 'P2037')),
    ).toBe('too-many-connections');
  });

  it('knows a transaction that lost a deadlock or a serialization check (40P01, 40001), as Prisma 7 raises it', () => {
    // What a real deadlock between two interactive transactions raised through @prisma/adapter-pg.
    const deadlock = known('Raw query failed. Code: `40P01`. Message: `deadlock detected`', 'P2010', {
      driverAdapterError: {
        name: 'DriverAdapterError',
        cause: { originalCode: '40P01', originalMessage: 'deadlock detected', kind: 'TransactionWriteConflict' },
      },
    });
    expect(overloadReason(deadlock)).toBe('write-conflict');
    const serialization = known('Raw query failed.', 'P2010', {
      driverAdapterError: { cause: { originalCode: '40001', kind: 'postgres' } },
    });
    expect(overloadReason(serialization)).toBe('write-conflict');
    expect(overloadReason(known('Transaction failed due to a write conflict or a deadlock.', 'P2034'))).toBe(
      'write-conflict',
    );
    const unique = known('Raw query failed.', 'P2010', {
      driverAdapterError: { cause: { originalCode: '23505', kind: 'UniqueConstraintViolation' } },
    });
    expect(overloadReason(unique)).toBeUndefined();
  });

  it('leaves out the other transaction errors of P2028: they are not overload', () => {
    for (const message of [
      'Transaction API error: A query cannot be executed on an expired transaction. The timeout for this transaction was 100 ms, however 301 ms passed since the start of the transaction. Consider increasing the interactive transaction timeout or doing less work in the transaction.',
      'Transaction API error: Transaction already closed: A commit cannot be executed on a committed transaction.',
      "Transaction API error: Transaction not found. Transaction ID is invalid, refers to an old closed transaction Prisma doesn't have information about anymore, or was obtained before disconnecting.",
    ]) {
      expect(overloadReason(known(message, 'P2028'))).toBeUndefined();
    }
  });

  it('leaves out a database that is down, and every other error', () => {
    expect(overloadReason(known("Can't reach database server at 127.0.0.1:1", 'P1001'))).toBeUndefined();
    expect(overloadReason(known('Server has closed the connection.', 'P1017'))).toBeUndefined();
    expect(overloadReason(known('Unique constraint failed on the fields: (`id`)', 'P2002'))).toBeUndefined();
    expect(
      overloadReason(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })),
    ).toBeUndefined();
    expect(overloadReason(new Error('Something else: timeout exceeded when trying to connect'))).toBeUndefined();
    // The same words with a code are some other component's error, not pg-pool's.
    expect(
      overloadReason(Object.assign(new Error('timeout exceeded when trying to connect'), { code: 'X' })),
    ).toBeUndefined();
    expect(overloadReason({ message: 'timeout exceeded when trying to connect' })).toBeUndefined();
    for (const value of [undefined, null, 'timeout exceeded when trying to connect', 42]) {
      expect(overloadReason(value)).toBeUndefined();
    }
  });

  it('finds overload in the cause of a wrapping error', () => {
    const cause = known('Transaction API error: Unable to start a transaction in the given time.', 'P2028');
    expect(overloadReason(new Error('placing the order failed', { cause }))).toBe('transaction-start-timeout');
  });

  // pg-pool's own errors, made by a real pool against a server that accepts connections and never
  // answers: its messages are all that identify them, so a pg-pool that changed them fails here.
  describe("pg-pool's timeouts", () => {
    let server: Server;
    const sockets: Socket[] = [];
    let pool: pg.Pool;

    beforeAll(async () => {
      server = createServer((socket) => sockets.push(socket));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as { port: number };
      pool = new pg.Pool({ host: '127.0.0.1', port, user: 'nobody', max: 1, connectionTimeoutMillis: 50 });
      pool.on('error', () => undefined);
    });
    afterAll(async () => {
      await pool.end().catch(() => undefined);
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    });

    it('knows a checkout that found no free connection in time, and a connection the server did not accept in time', async () => {
      // The first checkout opens the pool's one connection, which the server never answers; the
      // second waits for a free connection. Both give up after connectionTimeoutMillis.
      const [connecting, waiting] = await Promise.allSettled([pool.connect(), pool.connect()]);
      const reasons = [connecting, waiting].map((r) => (r.status === 'rejected' ? r.reason : r.value));
      expect(reasons.map((e: Error) => e.message)).toEqual([
        'Connection terminated due to connection timeout',
        'timeout exceeded when trying to connect',
      ]);
      expect(reasons.map(overloadReason)).toEqual(['connect-timeout', 'pool-timeout']);
    });
  });
});
