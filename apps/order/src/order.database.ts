import { PrismaClient } from './generated/prisma/client.ts';

/** The order app's Prisma client: schema `orders`, reached as the app's own role. */
export class OrderDatabase extends PrismaClient {}
