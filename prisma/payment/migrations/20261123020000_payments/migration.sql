-- One payment per order. The UNIQUE order_id makes "one payment per order, whatever is delivered
-- twice" a database fact: a second insert for the order does nothing (ON CONFLICT DO NOTHING).
CREATE TABLE "payments" (
    "id" UUID NOT NULL,
    "order_id" TEXT NOT NULL,
    "customer_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "amount_cents" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "failure_reason" TEXT,
    "authorization_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payments_pkey" PRIMARY KEY ("id"),
    -- Prisma cannot declare CHECK constraints; the drift guard compares only columns and indexes.
    CONSTRAINT "payments_status_check" CHECK ("status" IN ('AUTHORIZED', 'CAPTURED', 'VOIDED', 'FAILED')),
    CONSTRAINT "payments_amount_check" CHECK ("amount_cents" >= 0),
    -- A failed payment says why and holds no authorization; every other status holds one and no reason.
    CONSTRAINT "payments_outcome_check" CHECK (
        ("status" = 'FAILED' AND "failure_reason" IN ('DECLINED', 'INSUFFICIENT_FUNDS', 'LIMIT_EXCEEDED') AND "authorization_id" IS NULL)
        OR ("status" <> 'FAILED' AND "failure_reason" IS NULL AND "authorization_id" IS NOT NULL)
    )
);

CREATE UNIQUE INDEX "payments_order_id_key" ON "payments"("order_id");

-- Orders cancelled before their order.placed arrived: the late order.placed is refused.
CREATE TABLE "order_tombstones" (
    "order_id" TEXT NOT NULL,
    "customer_id" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "event_id" UUID NOT NULL,
    "cancelled_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "order_tombstones_pkey" PRIMARY KEY ("order_id")
);
