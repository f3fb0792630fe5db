-- kpi tests: every quality evaluation (score as double precision).
select e.agent_id, e.evaluated_at, e.score::double precision as score
from public.support_qa_evaluations e
order by e.id;
