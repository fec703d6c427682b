import { PrismaClient } from './generated/prisma/client.ts';

/** The inventory app's Prisma client: schema `inventory`, reached as the app's own role. */
export class InventoryDatabase extends PrismaClient {}
