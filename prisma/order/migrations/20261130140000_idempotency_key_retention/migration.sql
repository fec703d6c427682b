-- Idempotency keys are deleted once older than IDEMPOTENCY_KEY_RETENTION_HOURS, oldest first, a
-- batch at a time: the index keeps each batch to the rows it deletes, however many keys are kept.
CREATE INDEX "idempotency_keys_created_at_idx" ON "idempotency_keys"("created_at");
