-- csat ratings of surveys sent in [$1, $2) (the csat kpi's population) on tickets of clients with
-- a dedicated agent (as the owner).
select c.dedicated_agent_id, s.csat_rating
from public.customers c
join public.support_feedback_surveys s on s.customer_id = c.id
where c.dedicated_agent_id is not null
  and s.sent_at >= $1 and s.sent_at < $2 and s.csat_rating is not null;
