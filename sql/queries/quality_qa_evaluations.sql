-- qa evaluations made in [$1, $2), optionally of some agents ($3, null = all), newest first.
select e.*
from public.support_qa_evaluations e
where e.evaluated_at >= $1::timestamptz
  and e.evaluated_at < $2::timestamptz
  and ($3::uuid[] is null or e.agent_id = any($3::uuid[]))
order by e.evaluated_at desc, e.id desc;
