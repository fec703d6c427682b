-- The inbox (libs/messaging): the one definition of the table in every app's schema. A handler
-- records (consumer, event id) in its own transaction, so a redelivered event changes nothing;
-- rows older than the retention are deleted. Every schema's migration
-- 20261123000000_init is generated from this file by tools/prisma/messaging-tables.ts
-- (npm run generate); libs/testing's drift test checks both.
CREATE TABLE "inbox" (
    "consumer" TEXT NOT NULL,
    "event_id" UUID NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inbox_pkey" PRIMARY KEY ("consumer","event_id")
);

-- Rows by age, for the retention clean-up.
CREATE INDEX "inbox_processed_at_idx" ON "inbox"("processed_at");
