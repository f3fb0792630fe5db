-- scheduler: plan run $2 of schedule $1 (once: the pair is unique, a second planner inserts
-- nothing) and record that runs up to $3 are planned.
with planned as (
  insert into public.report_deliveries (schedule_id, scheduled_for)
  values ($1::uuid, $2::timestamptz)
  on conflict (schedule_id, scheduled_for) do nothing
  returning id
)
update public.report_schedules s
set planned_until = greatest(s.planned_until, $3::timestamptz)
where s.id = $1::uuid
returning (select count(*) from planned) as planned;
