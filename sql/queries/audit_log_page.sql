-- one page of the audit log, newest first, under the caller's rights (admin and dpo see it, the
-- policy shows nobody else a row). $1 actions, $2 customer, $3 actor, $4/$5 [from, to), $6 the
-- cursor's id (rows before it), $7 page size + 1.
select l.id, l.occurred_at, l.action, l.actor_user_id, l.actor_role, l.operation, l.request_id,
       l.customer_id, l.subject_count, l.details
from public.privacy_audit_log l
where ($1::text[] is null or l.action = any($1::text[]))
  and ($2::uuid is null or l.customer_id = $2::uuid)
  and ($3::uuid is null or l.actor_user_id = $3::uuid)
  and ($4::timestamptz is null or l.occurred_at >= $4::timestamptz)
  and ($5::timestamptz is null or l.occurred_at < $5::timestamptz)
  and ($6::bigint is null or l.id < $6::bigint)
order by l.id desc
limit $7;
