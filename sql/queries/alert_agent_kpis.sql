-- alerting: each active agent's workforce kpis over the days [$1, $2] (inclusive utc dates),
-- read from analytics.workforce_stats (grouped by agent over [$1 00:00 utc, $2 + 1 day), which
-- are those days): contacts handled, average handle time (seconds per contact: the aht kpi's
-- ratio, handle seconds ÷ contacts) and schedule adherence (in-adherence ÷ scheduled seconds, the
-- schedule_adherence kpi's ratio as a fraction; null when nothing was scheduled). agents with
-- no daily metrics in those days are left out. as the gateway (all agents).
select a.id as agent_id, a.team_id, a.display_name,
       w.contacts_handled::int as contacts,
       w.handle_seconds::float8 / nullif(w.contacts_handled, 0) as aht_seconds,
       w.in_adherence_seconds::float8 / nullif(w.scheduled_seconds, 0) as adherence
from analytics.workforce_stats(
       $1::date::timestamp at time zone 'utc',
       ($2::date + 1)::timestamp at time zone 'utc',
       'agent') w
join public.agents a on a.id::text = w.group_key
where a.status = 'active'
  and w.days > 0
order by a.id;
