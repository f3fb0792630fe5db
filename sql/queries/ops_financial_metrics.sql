-- daily support costs per team for the days $1..$2 (both included), optionally of some teams
-- ($3, null = all, organisation overhead included); by day, overhead (no team) first.
select f.id, f.metric_date, f.team_id, f.tickets_handled, f.labor_cost, f.tooling_cost,
       f.automation_savings, f.revenue_protected, f.refunds_issued
from public.support_financial_metrics f
where f.metric_date between $1::date and $2::date
  and ($3::uuid[] is null or f.team_id = any($3::uuid[]))
order by f.metric_date, f.team_id nulls first;
