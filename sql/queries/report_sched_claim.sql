-- scheduler: take one due run for process $1 with a lease of $2 seconds: pending or retrying
-- runs whose time has come, or running ones whose lease expired (their process died). skip
-- locked: concurrent schedulers take different runs, never the same one.
update public.report_deliveries d
set status = 'running',
    lease_owner = $1::text,
    lease_until = now() + make_interval(secs => $2::double precision),
    attempts = d.attempts + 1
where d.id = (
  select x.id
  from public.report_deliveries x
  where (x.status in ('pending', 'retrying') and x.next_attempt_at <= now())
     or (x.status = 'running' and x.lease_until < now())
  order by x.next_attempt_at, x.id
  limit 1
  for update skip locked
)
returning d.id, d.schedule_id, d.scheduled_for, d.attempts, d.delivered_to;
