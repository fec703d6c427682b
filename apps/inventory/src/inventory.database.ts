import { PrismaClient } from './generated/prisma/client.ts';

/** The inventory app's Prisma client: schema `inventory`, reached as the app's own role. */
export class InventoryDatabase extends PrismaClient {}

/** The client a transaction callback receives (handlers, use cases). */
export type InventoryTransaction = Parameters<Parameters<InventoryDatabase['$transaction']>[0]>[0];
