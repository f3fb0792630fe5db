-- every financial row of the days $1..$2 (both included) with its team's name, as the owner.
select f.*, t.name as team_name
from public.support_financial_metrics f
left join public.teams t on t.id = f.team_id
where f.metric_date between $1 and $2
order by f.metric_date, f.team_id nulls first;
