-- alerts: acknowledge the open alert $1 as the caller. row level security decides: the
-- support_alerts_update policy (managers, admins, executives, the lead of the alert's team)
-- filters the row out for anyone else, and nothing changes. returns the updated row, or no row.
update public.support_alerts a
set status = 'acknowledged',
    acknowledged_at = pg_catalog.now(),
    acknowledged_by = auth.uid()
where a.id = $1::bigint
  and a.status = 'open'
returning a.id, a.alert_type, a.severity, a.status, a.dedup_key, a.title, a.message, a.team_id,
          a.agent_id, a.ticket_id, a.details, a.raised_at, a.acknowledged_at, a.resolved_at;
