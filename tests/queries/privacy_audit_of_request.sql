-- test support: personal-data read events of a request id, oldest first, as the owner.
select id, action, actor_user_id, actor_role, operation, request_id, customer_id, subject_count,
       details
from public.privacy_audit_log
where action = 'personal_data_read' and request_id = $1
order by id;
