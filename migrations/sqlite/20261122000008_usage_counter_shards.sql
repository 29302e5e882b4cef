-- One counter row per tenant, module and month was a hot spot (see the
-- PostgreSQL migration); calls now spread over 8 shards, summed when read.
CREATE TABLE usage_counters_sharded
(
    tenant_id TEXT    NOT NULL,
    module    TEXT    NOT NULL,
    period    TEXT    NOT NULL,
    shard     INTEGER NOT NULL DEFAULT 0,
    used      INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, module, period, shard)
) STRICT;

INSERT INTO usage_counters_sharded (tenant_id, module, period, shard, used)
SELECT tenant_id, module, period, 0, used FROM usage_counters;

DROP TABLE usage_counters;

ALTER TABLE usage_counters_sharded RENAME TO usage_counters;
