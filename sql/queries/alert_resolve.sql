-- alerts: resolve the open or acknowledged alert $1 as the caller (row level security decides,
-- as for alert_acknowledge). returns the updated row, or no row.
update public.support_alerts a
set status = 'resolved',
    resolved_at = pg_catalog.now(),
    resolved_by = auth.uid()
where a.id = $1::bigint
  and a.status in ('open', 'acknowledged')
returning a.id, a.alert_type, a.severity, a.status, a.dedup_key, a.title, a.message, a.team_id,
          a.agent_id, a.ticket_id, a.details, a.raised_at, a.acknowledged_at, a.resolved_at;
