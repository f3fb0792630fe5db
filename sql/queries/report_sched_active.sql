-- scheduler (gateway login role, not a user's request): every schedule that is not paused.
select s.id, s.cron, s.timezone, s.planned_until
from public.report_schedules s
where not s.paused
order by s.id;
