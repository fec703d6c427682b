-- The settle deadline's sweep reads the oldest PENDING orders; a partial index keeps that read to
-- the few orders still PENDING, however many settled ones the table holds. Prisma cannot declare it.
CREATE INDEX "orders_pending_created_at_idx" ON "orders"("created_at") WHERE "status" = 'PENDING';
