import { z } from 'zod';

/** The roles CONTRACT.md knows: every registered user is a customer; admins are made by config. */
export const CUSTOMER = 'customer';
export const ADMIN = 'admin';

/** A user as the API shows it: never the password hash. */
export interface UserView {
  id: string;
  email: string;
  name: string;
}

/** Emails are compared without case and surrounding space. */
export const email = z.string().trim().toLowerCase().pipe(z.email('must be an email address').max(254));

export const password = z.string().min(10, 'must be at least 10 characters').max(256);

export const RegisterBody = z.strictObject({
  email,
  password,
  name: z.string().trim().min(1, 'is required').max(200),
});
export type RegisterBody = z.infer<typeof RegisterBody>;
