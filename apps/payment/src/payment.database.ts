import { PrismaClient } from './generated/prisma/client.ts';

/** The payment app's Prisma client: schema `payments`, reached as the app's own role. */
export class PaymentDatabase extends PrismaClient {}

/** The client a transaction callback receives (handlers, use cases). */
export type PaymentTransaction = Parameters<Parameters<PaymentDatabase['$transaction']>[0]>[0];
