-- test support: audit rows of an action (newest first), as the owner.
select id, action, actor_user_id, actor_role, operation, request_id, customer_id, subject_count,
       details
from public.privacy_audit_log
where action = $1
order by id desc;
