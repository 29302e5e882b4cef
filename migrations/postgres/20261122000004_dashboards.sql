-- Dashboards (READ-3, seed 004): what the case-status projection needs to
-- group by country, region and day, and exact money totals.
ALTER TABLE case_status ADD COLUMN nationality text;
ALTER TABLE case_status ADD COLUMN region text;
ALTER TABLE case_status ADD COLUMN opened_day text;
ALTER TABLE case_status ADD COLUMN decided_day text;
ALTER TABLE case_status ADD COLUMN requested_amount text;
ALTER TABLE case_status ADD COLUMN requested_currency text;
ALTER TABLE case_status ADD COLUMN declared_income text;
ALTER TABLE case_status ADD COLUMN income_currency text;

-- Running totals over completed cases, per tenant, metric and currency.
-- Amounts are decimal strings added exactly by the projection (never floats).
CREATE TABLE dashboard_money
(
    tenant_id text NOT NULL,
    metric    text NOT NULL,  -- requested_amount | declared_income
    currency  text NOT NULL,
    cases     bigint NOT NULL,
    total     text NOT NULL,
    PRIMARY KEY (tenant_id, metric, currency)
);
