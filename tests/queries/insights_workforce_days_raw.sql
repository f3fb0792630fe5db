-- test support (insights automation, capacity): per utc day in [$1, $2) the financial rows
-- (labour cost per team; team null is the organisation row) and the agents' daily rows, raw,
-- as the database owner. kind tells them apart.
select 'financial' as kind, f.metric_date, f.team_id::text as team, f.labor_cost::float as labor_cost,
       null::float as scheduled_seconds, null::float as handle_seconds,
       null::float as available_seconds
from public.support_financial_metrics f
where f.metric_date >= ($1::timestamptz at time zone 'utc')::date
  and f.metric_date < ($2::timestamptz at time zone 'utc')::date
union all
select 'agent', m.metric_date, m.agent_id::text, null, m.scheduled_seconds, m.handle_seconds,
       m.available_seconds
from public.support_agents_metrics m
where m.metric_date >= ($1::timestamptz at time zone 'utc')::date
  and m.metric_date < ($2::timestamptz at time zone 'utc')::date;
