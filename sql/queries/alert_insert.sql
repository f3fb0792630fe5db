-- alerting: store raised alerts, one per condition: a dedup key already present means the
-- condition was already raised, and that draft is skipped (returns the alerts actually stored).
insert into public.support_alerts
  (alert_type, severity, dedup_key, title, message, team_id, agent_id, ticket_id, details)
select d.alert_type, d.severity, d.dedup_key, d.title, d.message, d.team_id, d.agent_id,
       d.ticket_id, d.details
from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::uuid[],
            $8::bigint[], $9::jsonb[])
  as d(alert_type, severity, dedup_key, title, message, team_id, agent_id, ticket_id, details)
on conflict (dedup_key) do nothing
returning id, dedup_key;
