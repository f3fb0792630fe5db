-- test support: the latest audit events of ticket-export downloads, by actor role.
select a.actor_role, a.subject_count, a.details
from public.privacy_audit_log a
where a.operation = 'exportTickets download'
order by a.occurred_at desc
limit 5;
