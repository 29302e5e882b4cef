-- One counter row per tenant, module and month was a hot spot: every billed
-- call of a tenant queued on its row lock until the previous call's commit.
-- Calls now spread over 8 shards; the month's use is their sum.
ALTER TABLE usage_counters ADD COLUMN shard smallint NOT NULL DEFAULT 0;
ALTER TABLE usage_counters DROP CONSTRAINT usage_counters_pkey;
ALTER TABLE usage_counters ADD PRIMARY KEY (tenant_id, module, period, shard);
