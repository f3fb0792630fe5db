-- the window's workforce totals for capacity (days [$1, $2) by utc date), under the caller's
-- rights: labour cost of every team's agents (financial metrics: management and analysts; null
-- when none is visible; the organisation row, team null, is overhead of staff who take no
-- contacts and is not an agent hour's cost) and the scheduled, handle and available seconds of
-- the agents' daily rows the caller may see.
select
  (select sum(f.labor_cost)::double precision from public.support_financial_metrics f
   where f.team_id is not null
     and f.metric_date >= ($1::timestamptz at time zone 'utc')::date
     and f.metric_date < ($2::timestamptz at time zone 'utc')::date) as labor_cost,
  (select sum(f.scheduled_seconds)::double precision from public.support_agents_metrics f
   where f.metric_date >= ($1::timestamptz at time zone 'utc')::date
     and f.metric_date < ($2::timestamptz at time zone 'utc')::date) as scheduled_seconds,
  (select sum(f.handle_seconds)::double precision from public.support_agents_metrics f
   where f.metric_date >= ($1::timestamptz at time zone 'utc')::date
     and f.metric_date < ($2::timestamptz at time zone 'utc')::date) as handle_seconds,
  (select sum(f.available_seconds)::double precision from public.support_agents_metrics f
   where f.metric_date >= ($1::timestamptz at time zone 'utc')::date
     and f.metric_date < ($2::timestamptz at time zone 'utc')::date) as available_seconds;
