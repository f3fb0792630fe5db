-- daily workforce metrics of agents (dataloader batch $1) between $2 and $3 (inclusive dates).
select m.*
from public.support_agents_metrics m
where m.agent_id = any($1::uuid[])
  and m.metric_date between $2::date and $3::date
order by m.agent_id, m.metric_date;
