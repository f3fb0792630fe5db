-- test support (insights accuracy): mean rating of the answered surveys sent in [$1, $2), as the
-- database owner.
select avg(f.csat_rating)::float as mean
from public.support_feedback_surveys f
where f.sent_at >= $1 and f.sent_at < $2 and f.csat_rating is not null;
