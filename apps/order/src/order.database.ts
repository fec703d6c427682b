import { PrismaClient } from './generated/prisma/client.ts';

/** The order app's Prisma client: schema `orders`, reached as the app's own role. */
export class OrderDatabase extends PrismaClient {}

/** The client a transaction callback receives (handlers, use cases). */
export type OrderTransaction = Parameters<Parameters<OrderDatabase['$transaction']>[0]>[0];
