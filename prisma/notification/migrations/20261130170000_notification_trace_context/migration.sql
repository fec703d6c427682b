-- The W3C traceparent of the span that recorded the email (the handler of the order's event), NULL
-- when tracing is off: the mail dispatcher sends the email later, in a span of that trace, so an
-- order's trace ends with its last email.
ALTER TABLE "notifications" ADD COLUMN "trace_context" TEXT;
