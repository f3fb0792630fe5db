-- test support (insights roles): answered surveys sent in [$1, $2) on tickets of the team of
-- user $3, as the database owner.
select count(*) as n
from public.support_feedback_surveys f
where f.sent_at >= $1 and f.sent_at < $2 and f.csat_rating is not null
  and f.ticket_team_id = (select ur.team_id from public.user_roles ur where ur.user_id = $3);
