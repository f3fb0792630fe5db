-- test support: make sure the month of $1 has a partition of interactions (its own statement:
-- a partition cannot be created by a statement that also writes the parent).
select app.ensure_monthly_partitions('support_interactions',
  pg_catalog.date_trunc('month', $1::timestamptz)::date,
  pg_catalog.date_trunc('month', $1::timestamptz)::date);
