import { z } from 'zod';

/** The roles docs/contract.md knows: every registered user is a customer; admins are made by config. */
export const CUSTOMER = 'customer';
export const ADMIN = 'admin';

/** A stored user, with what login needs: the Argon2id hash of its password and its roles. */
export interface User {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
  roles: string[];
}

/** Emails are compared without case and surrounding space. */
export const email = z.string().trim().toLowerCase().pipe(z.email('must be an email address').max(254));

export const password = z.string().min(10, 'must be at least 10 characters').max(256);
