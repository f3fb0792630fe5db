-- test support: plan a schedule up to just before instant $2 (its next run is then due).
update public.report_schedules set planned_until = $2::timestamptz - interval '1 second' where id = $1;
