-- test support: make sure the month before $1 has a partition of interactions (empty if new),
-- so a lookup of a ticket created at $1 has an earlier month to skip.
select app.ensure_monthly_partitions('support_interactions',
  (pg_catalog.date_trunc('month', $1::timestamptz) - interval '1 month')::date,
  (pg_catalog.date_trunc('month', $1::timestamptz) - interval '1 month')::date);
