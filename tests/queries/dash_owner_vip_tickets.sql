-- vip tickets created in [$1, $2) with tier and white-glove flag (as the owner).
select t.created_at, t.vip_tier, t.is_white_glove
from public.support_tickets t
where t.vip_tier is not null and t.created_at >= $1 and t.created_at < $2;
