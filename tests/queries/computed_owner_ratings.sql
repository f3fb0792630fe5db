-- csat ratings of surveys sent in [$1, $2) (the csat kpi's population, docs/metrics.md) with the
-- surveyed ticket's category path and customer (as the owner).
select s.ticket_id, s.customer_id, c.path, s.csat_rating
from public.support_feedback_surveys s
join public.support_tickets t on t.id = s.ticket_id
join public.support_categories c on c.id = t.category_id
where s.sent_at >= $1 and s.sent_at < $2 and s.csat_rating is not null;
