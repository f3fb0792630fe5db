-- retention: forget a month's interaction rollup before recomputing it day by day.
delete from public.interaction_monthly_rollups where month = $1::date;
