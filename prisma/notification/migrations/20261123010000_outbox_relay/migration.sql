-- The relay reads only unpublished rows: partial indexes stay small however much history is kept.
-- (Prisma cannot declare partial indexes; the drift guard allows indexes schema.prisma does not name.)
DROP INDEX "outbox_unpublished_idx";

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
