import { ConflictException } from '@nestjs/common';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuthDatabase } from '../auth.database.ts';
import { RegisterUserCommand } from './register-user.command.ts';
import { RegisterUserHandler } from './register-user.handler.ts';
import type { RegistrationThrottle } from './registration-throttle.ts';
import { TooManyRegistrationsException } from './registration-throttle.ts';
import type { UsersRepository } from './users.repository.ts';

// The Argon2id hash is what an abuser makes the app spend: count how often it runs.
const hashed = vi.hoisted(() => ({ count: 0 }));
vi.mock('./passwords.ts', () => ({
  hashPassword: async () => {
    hashed.count++;
    return 'hash';
  },
}));

describe('RegisterUserHandler, before the password is hashed', () => {
  const command = new RegisterUserCommand(
    'ada@example.com',
    'Ada',
    'correct horse battery',
    ['customer'],
    '203.0.113.9',
  );
  let retryAfter: number;
  let existing: object | null;
  let handler: RegisterUserHandler;

  beforeEach(() => {
    hashed.count = 0;
    retryAfter = 0;
    existing = null;
    const throttle = { admit: async () => retryAfter } as unknown as RegistrationThrottle;
    const users = { findByEmail: async () => existing } as unknown as UsersRepository;
    const db = { $transaction: async () => ({ id: 'new' }) } as unknown as AuthDatabase;
    handler = new RegisterUserHandler(db, users, { add: async () => undefined, event: () => ({}) } as never, throttle);
  });

  it('refuses an address past its limit (429) without hashing', async () => {
    retryAfter = 120;
    const refusal = await handler.execute(command).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(TooManyRegistrationsException);
    expect((refusal as TooManyRegistrationsException).retryAfterSeconds).toBe(120);
    expect(hashed.count).toBe(0);
  });

  it('refuses a taken email (409) without hashing', async () => {
    existing = { id: 'someone' };
    await expect(handler.execute(command)).rejects.toBeInstanceOf(ConflictException);
    expect(hashed.count).toBe(0);
  });

  it('hashes once for a new email from an address within its limit', async () => {
    await handler.execute(command);
    expect(hashed.count).toBe(1);
  });
});
