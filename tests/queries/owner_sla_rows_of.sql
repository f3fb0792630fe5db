-- recorded sla targets of some tickets (as the owner).
select ticket_id, target_type, due_at, achieved_at, status
from public.support_sla_compliance where ticket_id = any($1::bigint[]);
