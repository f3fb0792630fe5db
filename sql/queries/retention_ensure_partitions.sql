-- retention: the monthly partitions of table $1 from the month of $2 to three months ahead.
select app.ensure_monthly_partitions($1, $2::date, ($2::timestamptz + interval '3 months')::date);
