-- a schedule owned by the caller (rls: staff, own rows, a report they may read): report $1,
-- cron $2, zone $3, format $4, recipients $5, webhook $6, team $7; runs are planned from now.
insert into public.report_schedules
  (report_id, owner_id, cron, timezone, format, recipients, webhook_url, team_id)
values ($1::uuid, auth.uid(), $2::text, $3::text, $4::text, $5::text[], $6::text, $7::uuid)
returning *;
