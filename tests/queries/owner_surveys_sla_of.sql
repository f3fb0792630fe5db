-- survey ids and sla target counts of some tickets (as the owner).
select t.id as ticket_id,
       (select s.id from public.support_feedback_surveys s where s.ticket_id = t.id) as survey_id,
       (select count(*) from public.support_sla_compliance c where c.ticket_id = t.id) as sla_targets
from public.support_tickets t
where t.id = any($1::bigint[]);
