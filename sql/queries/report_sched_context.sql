-- scheduler: what run $1 needs: its schedule, the report's id and the owner's current role,
-- team and e-mail (null role when the owner has none any more).
select s.id as schedule_id, s.report_id, s.owner_id, s.cron, s.timezone, s.format,
  s.recipients, s.webhook_url, s.team_id, ur.app_role as owner_role, u.email as owner_email
from public.report_deliveries d
join public.report_schedules s on s.id = d.schedule_id
left join public.user_roles ur on ur.user_id = s.owner_id
left join auth.users u on u.id = s.owner_id
where d.id = $1::bigint;
