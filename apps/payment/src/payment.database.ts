import { PrismaClient } from './generated/prisma/client.ts';

/** The payment app's Prisma client: schema `payments`, reached as the app's own role. */
export class PaymentDatabase extends PrismaClient {}
