-- insights predict schedule: record the slot $1 (of $2 hours) as run at $3, having written $4
-- prediction rows (in the run's transaction: rolled back with it).
insert into public.support_insight_runs (slot_start, slot_hours, run_at, rows_written)
values ($1::timestamptz, $2::double precision, $3::timestamptz, $4::integer);
