-- test support: audit events of ticket-export downloads since $1, newest first.
select a.actor_role, a.subject_count, a.details
from public.privacy_audit_log a
where a.operation = 'exportTickets download'
  and a.occurred_at >= $1
order by a.occurred_at desc
limit 5;
