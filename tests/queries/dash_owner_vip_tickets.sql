-- vip tickets created in [$1, $2) with tier, white-glove flag and csat (as the owner).
select t.created_at, t.vip_tier, t.is_white_glove, s.csat_rating
from public.support_tickets t
left join public.support_feedback_surveys s on s.ticket_id = t.id
where t.vip_tier is not null and t.created_at >= $1 and t.created_at < $2;
