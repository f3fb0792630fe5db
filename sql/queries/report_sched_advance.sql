-- scheduler: nothing to send for schedule $1 up to $2; record that runs up to $2 are planned.
update public.report_schedules s
set planned_until = greatest(s.planned_until, $2::timestamptz)
where s.id = $1::uuid;
