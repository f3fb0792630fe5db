-- training records assigned in [$1, $2), optionally of some agents ($3) and statuses ($4)
-- (null = all), newest assignment first.
select r.*
from public.support_training_records r
where r.assigned_at >= $1::timestamptz
  and r.assigned_at < $2::timestamptz
  and ($3::uuid[] is null or r.agent_id = any($3::uuid[]))
  and ($4::text[] is null or r.status = any($4::text[]))
order by r.assigned_at desc, r.id desc;
