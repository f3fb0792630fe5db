-- retention: the monthly partitions of table $1 for the month of $2 and the next one (run hourly,
-- so a month exists before its first row; fewer empty partitions keep lookups short).
select app.ensure_monthly_partitions($1, $2::date, ($2::timestamptz + interval '1 month')::date);
