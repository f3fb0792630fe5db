-- latest $2 qa evaluations of each agent (dataloader batch $1), newest first.
select e.*
from unnest($1::uuid[]) as wanted (agent_id)
cross join lateral (
  select x.* from public.support_qa_evaluations x
  where x.agent_id = wanted.agent_id
  order by x.evaluated_at desc, x.id desc
  limit $2
) e;
