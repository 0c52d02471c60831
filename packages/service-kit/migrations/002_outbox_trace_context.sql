-- Up Migration
-- The W3C trace context (https://www.w3.org/TR/trace-context/) of the request that wrote the row; the
-- relay sends it as Kafka message headers so consumers continue the same trace. NULL when untraced.
ALTER TABLE outbox ADD COLUMN traceparent text, ADD COLUMN tracestate text;

-- Down Migration
ALTER TABLE outbox DROP COLUMN tracestate, DROP COLUMN traceparent;
