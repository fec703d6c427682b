-- CreateEnum
CREATE TYPE "ReservationStatus" AS ENUM ('HELD', 'COMMITTED', 'RELEASED', 'REJECTED', 'TOMBSTONE', 'REFUSED_CANCELLED');

-- CreateTable
-- Skus compare byte by byte (COLLATE "C") whatever the database's locale: the catalog lists in
-- that order with the sku as cursor, and the handlers lock rows in the same order as JavaScript sorts.
CREATE TABLE "products" (
    "sku" TEXT COLLATE "C" NOT NULL,
    "name" TEXT NOT NULL,
    "price_cents" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "initial_stock" INTEGER NOT NULL,
    "restocked" INTEGER NOT NULL DEFAULT 0,
    "available" INTEGER NOT NULL,
    "reserved" INTEGER NOT NULL DEFAULT 0,
    "sold" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "products_pkey" PRIMARY KEY ("sku")
);

-- CreateTable
CREATE TABLE "reservations" (
    "order_id" TEXT NOT NULL,
    "reservation_id" UUID NOT NULL,
    "status" "ReservationStatus" NOT NULL,
    "rejection_reason" TEXT,
    "rejected_skus" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reservations_pkey" PRIMARY KEY ("order_id")
);

-- CreateTable
CREATE TABLE "reservation_items" (
    "order_id" TEXT NOT NULL,
    "sku" TEXT COLLATE "C" NOT NULL,
    "quantity" INTEGER NOT NULL,

    CONSTRAINT "reservation_items_pkey" PRIMARY KEY ("order_id","sku")
);

-- CreateIndex
CREATE UNIQUE INDEX "reservations_reservation_id_key" ON "reservations"("reservation_id");

-- CreateIndex
CREATE INDEX "reservation_items_sku_idx" ON "reservation_items"("sku");

-- AddForeignKey
ALTER TABLE "reservation_items" ADD CONSTRAINT "reservation_items_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "reservations"("order_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reservation_items" ADD CONSTRAINT "reservation_items_sku_fkey" FOREIGN KEY ("sku") REFERENCES "products"("sku") ON DELETE RESTRICT ON UPDATE CASCADE;

-- What Prisma cannot declare: the stock invariant of CONTRACT.md (2), held by the database itself,
-- so no code path (a bug, a manual UPDATE) can break it. The sum is computed in bigint so that it
-- cannot overflow before the columns do.
ALTER TABLE "products"
    ADD CONSTRAINT "products_stock_not_negative" CHECK ("available" >= 0 AND "reserved" >= 0 AND "sold" >= 0),
    ADD CONSTRAINT "products_supply_not_negative" CHECK ("initial_stock" >= 0 AND "restocked" >= 0),
    ADD CONSTRAINT "products_stock_balances"
        CHECK ("initial_stock"::BIGINT + "restocked" = "available"::BIGINT + "reserved" + "sold"),
    ADD CONSTRAINT "products_price_not_negative" CHECK ("price_cents" >= 0),
    ADD CONSTRAINT "products_currency_iso_4217" CHECK ("currency" ~ '^[A-Z]{3}$');

ALTER TABLE "reservations"
    ADD CONSTRAINT "reservations_rejection" CHECK (
        ("status" = 'REJECTED') = ("rejection_reason" IS NOT NULL)
        AND "rejection_reason" IN ('OUT_OF_STOCK', 'UNKNOWN_SKU')
    );

ALTER TABLE "reservation_items" ADD CONSTRAINT "reservation_items_quantity_positive" CHECK ("quantity" > 0);
