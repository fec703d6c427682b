-- CreateTable
CREATE TABLE "ledger_entries" (
    "id" UUID NOT NULL,
    "event_id" UUID NOT NULL,
    "handler" TEXT NOT NULL,
    "account" TEXT NOT NULL,
    "amount" INTEGER NOT NULL,
    "applied_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_entries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ledger_entries_event_id_idx" ON "ledger_entries"("event_id");
