-- test support: answered surveys with the team of their ticket.
select f.responded_at, f.csat_rating, t.team_id
from public.support_feedback_surveys f
join public.support_tickets t on t.id = f.ticket_id
where f.responded_at is not null;
