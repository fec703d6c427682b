import { PrismaClient } from './generated/prisma/client.ts';

/** The auth app's Prisma client: schema `auth`, reached as the app's own role. */
export class AuthDatabase extends PrismaClient {}

/** The client a transaction callback receives (handlers, use cases). */
export type AuthTransaction = Parameters<Parameters<AuthDatabase['$transaction']>[0]>[0];
