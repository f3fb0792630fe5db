-- statistics tests: csat ratings of surveys sent in [$1, $2), their send time and the ticket's
-- team (as the owner: no rls).
select f.sent_at, f.csat_rating::float8 as rating, t.team_id::text as team_id
from public.support_feedback_surveys f
join public.support_tickets t on t.id = f.ticket_id
where f.sent_at >= $1 and f.sent_at < $2 and f.csat_rating is not null;
