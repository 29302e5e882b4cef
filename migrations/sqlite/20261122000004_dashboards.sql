-- Dashboards (READ-3, seed 004): what the case-status projection needs to
-- group by country, region and day, and exact money totals.
ALTER TABLE case_status ADD COLUMN nationality TEXT;
ALTER TABLE case_status ADD COLUMN region TEXT;
ALTER TABLE case_status ADD COLUMN opened_day TEXT;
ALTER TABLE case_status ADD COLUMN decided_day TEXT;
ALTER TABLE case_status ADD COLUMN requested_amount TEXT;
ALTER TABLE case_status ADD COLUMN requested_currency TEXT;
ALTER TABLE case_status ADD COLUMN declared_income TEXT;
ALTER TABLE case_status ADD COLUMN income_currency TEXT;

-- Running totals over completed cases, per tenant, metric and currency.
-- Amounts are decimal strings added exactly by the projection (never floats).
CREATE TABLE dashboard_money
(
    tenant_id TEXT NOT NULL,
    metric    TEXT NOT NULL,  -- requested_amount | declared_income
    currency  TEXT NOT NULL,
    cases     INTEGER NOT NULL,
    total     TEXT NOT NULL,
    PRIMARY KEY (tenant_id, metric, currency)
);
