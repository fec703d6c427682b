import { PrismaClient } from './generated/prisma/client.ts';

/** The notification app's Prisma client: schema `notifications`, reached as the app's own role. */
export class NotificationDatabase extends PrismaClient {}

/** The client a transaction callback receives (handlers, use cases). */
export type NotificationTransaction = Parameters<Parameters<NotificationDatabase['$transaction']>[0]>[0];
