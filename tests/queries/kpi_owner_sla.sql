-- kpi tests: every sla target with its due time, achievement and stored status.
select s.ticket_id, s.sla_policy_id, s.target_type, s.due_at, s.achieved_at, s.status
from public.support_sla_compliance s
order by s.id;
