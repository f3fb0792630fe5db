-- csat ratings of surveys sent in [$1, $2) (the csat kpi's population) on vip tickets, with the
-- ticket's tier (as the owner).
select s.sent_at, t.vip_tier, s.csat_rating
from public.support_feedback_surveys s
join public.support_tickets t on t.id = s.ticket_id
where t.vip_tier is not null
  and s.sent_at >= $1 and s.sent_at < $2 and s.csat_rating is not null;
