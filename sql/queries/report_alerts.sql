-- alerts raised in [$1, $2) that the caller may see (rls), for a report's "alerts of the period"
-- section, optionally of team $3 (the team's own alerts and its agents'); newest first, at most
-- $4 rows. subject_customer_id: the customer whose ticket the alert is about, when the caller
-- may see that ticket (the alert's text is about them: the report's read of it is audited).
select a.id, a.alert_type, a.severity, a.status, a.title, a.raised_at, a.resolved_at,
       t.customer_id as subject_customer_id
from public.support_alerts a
left join public.support_tickets t on t.id = a.ticket_id
where a.raised_at >= $1::timestamptz
  and a.raised_at < $2::timestamptz
  and ($3::uuid is null or a.team_id = $3::uuid or app.agent_team(a.agent_id) = $3::uuid)
order by a.raised_at desc, a.id desc
limit $4;
