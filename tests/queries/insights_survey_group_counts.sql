-- test support (insights drivers by group): answered surveys sent in [$1, $2) per value of the
-- ticket's column {column} (channel, vip_tier or team_id), as the database owner.
select coalesce(t.{column}::text, 'standard') as key, count(*)::integer as n
from public.support_feedback_surveys f
join public.support_tickets t on t.id = f.ticket_id
where f.sent_at >= $1 and f.sent_at < $2 and f.csat_rating is not null
group by 1;
