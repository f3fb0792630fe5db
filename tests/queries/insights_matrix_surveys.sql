-- test support (insights role matrix): answered surveys sent in [$4, $5) on tickets a viewer
-- scope may see (the tickets policy spelled out on the ticket itself: everything when $1, the
-- led team $2's tickets, the tickets assigned to agent $3), as the database owner.
select count(*)::integer as n
from public.support_feedback_surveys f
join public.support_tickets t on t.id = f.ticket_id
where f.sent_at >= $4::timestamptz and f.sent_at < $5::timestamptz
  and f.csat_rating is not null
  and ($1::boolean or t.team_id = $2::uuid or t.assigned_agent_id = $3::uuid);
