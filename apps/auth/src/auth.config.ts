import { baseConfigSchema } from '@commerce/platform';
import { z } from 'zod';

/** The auth app's configuration: the base variables plus keys, token lifetimes, throttling and the admin. */
export const authConfigSchema = baseConfigSchema
  .extend({
    // PKCS#8 PEM of the Ed25519 (or RSA) key that signs access tokens; or a file holding it.
    AUTH_SIGNING_KEY: z.string().startsWith('-----BEGIN PRIVATE KEY-----').optional(),
    // Outside development a missing key stops the app; in development one is generated here, once.
    AUTH_SIGNING_KEY_FILE: z.string().min(1).default('.secrets/auth-signing-key.pem'),
    // The key rotated out, still in the JWKS (never signing) until the tokens it signed expire; or
    // a file holding it, read when it exists (docs/operations.md, rotating the signing key).
    AUTH_PREVIOUS_SIGNING_KEY: z.string().startsWith('-----BEGIN PRIVATE KEY-----').optional(),
    AUTH_PREVIOUS_SIGNING_KEY_FILE: z.string().min(1).optional(),
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
    REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    // Failed logins counted per email from one client address (its lockout blocks that address
    // only), per address across emails, and per email across every address (a ceiling that spares
    // the addresses the email logged in from within LOGIN_KNOWN_ADDRESS_DAYS).
    LOGIN_MAX_FAILURES_PER_EMAIL: z.coerce.number().int().min(1).default(5),
    LOGIN_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).default(20),
    LOGIN_MAX_FAILURES_PER_EMAIL_GLOBAL: z.coerce.number().int().min(1).default(50),
    LOGIN_KNOWN_ADDRESS_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    LOGIN_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
    LOGIN_LOCKOUT_SECONDS: z.coerce.number().int().min(1).default(900),
    // Registrations per client address in a window, counted before the password is hashed.
    REGISTER_MAX_PER_ADDRESS: z.coerce.number().int().min(1).default(10),
    REGISTER_WINDOW_SECONDS: z.coerce.number().int().min(1).default(3600),
    // Rows that only grow are deleted in batches of SESSION_RETENTION_BATCH_SIZE every
    // SESSION_RETENTION_INTERVAL_MS: stale throttle counts, and the refresh tokens of logins
    // finished (every token expired or revoked) more than REFRESH_TOKEN_RETENTION_DAYS ago.
    SESSION_RETENTION_INTERVAL_MS: z.coerce.number().int().min(10).default(300_000),
    SESSION_RETENTION_BATCH_SIZE: z.coerce.number().int().min(1).max(100_000).default(1000),
    REFRESH_TOKEN_RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(7),
    ADMIN_EMAIL: z.email().optional(),
    ADMIN_PASSWORD: z.string().min(10, 'at least 10 characters').optional(),
  })
  .refine((c) => !c.ADMIN_EMAIL === !c.ADMIN_PASSWORD, {
    path: ['ADMIN_PASSWORD'],
    message: 'ADMIN_EMAIL and ADMIN_PASSWORD are set together or not at all',
  });

export type AuthConfig = z.infer<typeof authConfigSchema>;
