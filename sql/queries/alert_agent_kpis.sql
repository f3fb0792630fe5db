-- alerting: each active agent's workforce kpis over the days [$1, $2] (inclusive dates): contacts
-- handled, average handle time (seconds per contact) and schedule adherence (share of scheduled
-- time in adherence; null when nothing was scheduled). as the gateway (all agents).
select a.id as agent_id, a.team_id, a.display_name,
       sum(m.contacts_handled)::int as contacts,
       sum(m.handle_seconds)::float8 / nullif(sum(m.contacts_handled), 0) as aht_seconds,
       sum(m.in_adherence_seconds)::float8 / nullif(sum(m.scheduled_seconds), 0) as adherence
from public.support_agents_metrics m
join public.agents a on a.id = m.agent_id
where m.metric_date between $1::date and $2::date
  and a.status = 'active'
group by a.id, a.team_id, a.display_name
order by a.id;
