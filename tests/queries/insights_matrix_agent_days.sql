-- test support (insights role matrix): agents' daily rows of the utc days [$4, $5) a viewer scope
-- may see (the agent records policy spelled out: everything when $1, the agents of the led team
-- $2, the viewer's own agent $3), as the database owner.
select m.agent_id, m.metric_date, m.scheduled_seconds::double precision as scheduled_seconds,
       m.handle_seconds::double precision as handle_seconds,
       m.available_seconds::double precision as available_seconds
from public.support_agents_metrics m
join public.agents a on a.id = m.agent_id
where m.metric_date >= ($4::timestamptz at time zone 'utc')::date
  and m.metric_date < ($5::timestamptz at time zone 'utc')::date
  and ($1::boolean or a.team_id = $2::uuid or m.agent_id = $3::uuid);
