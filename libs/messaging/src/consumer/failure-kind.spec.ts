import { InvalidEventError } from '@commerce/contracts';
import { ProviderUnavailableError } from '@commerce/platform';
import { PrismaClientKnownRequestError } from '@prisma/client/runtime/client';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { failureKind, isTransient } from './failure-kind.ts';

const known = (message: string, code: string, meta: Record<string, unknown> = {}) =>
  new PrismaClientKnownRequestError(message, { code, clientVersion: '7.10.0', meta });

const socketError = (code: string) => Object.assign(new Error(`read ${code}`), { code, syscall: 'read' });

describe('failureKind', () => {
  it('waits out a deadlock or a serialization failure, as Prisma 7 raises them (P2034, P2010 TransactionWriteConflict)', () => {
    const deadlock = known('Raw query failed. Code: `40P01`. Message: `deadlock detected`', 'P2010', {
      driverAdapterError: {
        name: 'DriverAdapterError',
        cause: { originalCode: '40P01', originalMessage: 'deadlock detected', kind: 'TransactionWriteConflict' },
      },
    });
    const serialization = known('Raw query failed. Code: `40001`.', 'P2010', {
      driverAdapterError: { name: 'DriverAdapterError', cause: { originalCode: '40001', kind: 'postgres' } },
    });
    const conflict = known('Transaction failed due to a write conflict or a deadlock.', 'P2034');
    for (const error of [deadlock, serialization, conflict])
      expect(failureKind(error)).toEqual({ kind: 'database', reason: 'write-conflict' });
  });

  it("waits out Prisma's transaction-start timeout (P2028) and a pool that gave no connection in time", () => {
    const start = known('Transaction API error: Unable to start a transaction in the given time.', 'P2028');
    expect(failureKind(start)).toEqual({ kind: 'database', reason: 'transaction-start-timeout' });
    expect(failureKind(new Error('timeout exceeded when trying to connect'))).toEqual({
      kind: 'database',
      reason: 'pool-timeout',
    });
  });

  it('waits out a database that is down or dropped the connection', () => {
    expect(failureKind(known("Can't reach database server at 127.0.0.1:1", 'P1001'))).toEqual({
      kind: 'database',
      reason: 'unreachable',
    });
    expect(failureKind(new Error('Connection terminated unexpectedly'))).toEqual({
      kind: 'database',
      reason: 'connection-closed',
    });
    const terminated = new pg.DatabaseError('terminating connection due to administrator command', 0, 'error');
    terminated.code = '57P01';
    expect(failureKind(terminated)).toEqual({ kind: 'database', reason: 'admin-shutdown' });
  });

  it('waits for a provider that is unavailable, whatever socket error it wraps', () => {
    const error = new ProviderUnavailableError('payment-gateway', 'socket hang up', {
      cause: socketError('ECONNRESET'),
    });
    expect(failureKind(error)).toEqual({ kind: 'provider', provider: 'payment-gateway' });
    // A handler may wrap it: the typed error still says whose it is.
    expect(failureKind(new Error('capturing failed', { cause: error }))).toEqual({
      kind: 'provider',
      provider: 'payment-gateway',
    });
  });

  it("does not take a provider's socket error for a database outage: untyped, it is permanent", () => {
    for (const code of ['ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED']) {
      expect(failureKind(socketError(code))).toEqual({ kind: 'permanent' });
      expect(failureKind(new Error('capture failed', { cause: socketError(code) }))).toEqual({ kind: 'permanent' });
    }
  });

  it('dead-letters what time will not change: an invalid event, a rule violation, a bug', () => {
    const unique = known('Unique constraint failed on the fields: (`id`)', 'P2002');
    for (const error of [
      new InvalidEventError('amountCents must be positive'),
      new Error('an order cannot be confirmed twice'),
      new TypeError("Cannot read properties of undefined (reading 'id')"),
      unique,
      'a string thrown',
      undefined,
    ]) {
      expect(failureKind(error)).toEqual({ kind: 'permanent' });
      expect(isTransient(failureKind(error))).toBe(false);
    }
  });

  it('calls the database and provider conditions transient', () => {
    expect(isTransient({ kind: 'database', reason: 'write-conflict' })).toBe(true);
    expect(isTransient({ kind: 'provider', provider: 'smtp' })).toBe(true);
  });
});
