-- Generated from libs/outbox/src/table/outbox-trace-context.sql by tools/prisma/messaging-tables.ts; do not edit.

-- The W3C traceparent of the span that appended the row (libs/outbox addToOutbox), NULL when
-- tracing is off: the relay sends it as the event's `traceparent` header, so a trace goes on
-- past the table. Every schema's migration 20261130160000_outbox_trace_context is generated from
-- this file by tools/prisma/messaging-tables.ts (npm run generate), after outbox.sql.
ALTER TABLE "outbox" ADD COLUMN "trace_context" TEXT;
