-- Generated from libs/outbox/src/table/outbox.sql and libs/messaging/src/inbox/inbox.sql by tools/prisma/messaging-tables.ts; do not edit.

-- The transactional outbox (libs/outbox): the one definition of the table in every app's schema.
-- Events are inserted in the transaction of the change they describe (addToOutbox); the relay
-- publishes them to Kafka in id order per key and marks them published. Every schema's migration
-- 20261123000000_init is generated from this file by tools/prisma/messaging-tables.ts
-- (npm run generate); libs/testing's drift test checks both.
CREATE TABLE "outbox" (
    "id" BIGSERIAL NOT NULL,
    "event_id" UUID NOT NULL,
    "topic" TEXT NOT NULL,
    "message_key" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "headers" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_error" TEXT,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "outbox_event_id_key" ON "outbox"("event_id");

-- The relay reads only unpublished rows: partial indexes stay small however much history is kept.
-- Pending rows in insertion order, and the head (oldest pending row) of each key.
CREATE INDEX "outbox_pending_idx" ON "outbox"("id") WHERE "published_at" IS NULL;
CREATE INDEX "outbox_key_pending_idx" ON "outbox"("message_key", "id") WHERE "published_at" IS NULL;

-- Published rows by age, for the retention clean-up.
CREATE INDEX "outbox_published_at_idx" ON "outbox"("published_at") WHERE "published_at" IS NOT NULL;

-- Wake the relay when a transaction that wrote events commits (NOTIFY is delivered at commit).
CREATE FUNCTION "outbox_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(TG_TABLE_SCHEMA || '.outbox', '');
  RETURN NULL;
END
$$;

CREATE TRIGGER "outbox_notify" AFTER INSERT ON "outbox" FOR EACH STATEMENT EXECUTE FUNCTION "outbox_notify"();

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
