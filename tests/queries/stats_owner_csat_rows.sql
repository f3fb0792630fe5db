-- statistics benchmark tests: csat ratings of surveys sent in [$1, $2), with the ticket's agent,
-- the ticket's team and the agent's own team (as the owner: no rls).
select f.csat_rating::float8 as rating,
       t.assigned_agent_id::text as agent_id,
       t.team_id::text as ticket_team,
       a.team_id::text as agent_team
from public.support_feedback_surveys f
join public.support_tickets t on t.id = f.ticket_id
left join public.agents a on a.id = t.assigned_agent_id
where f.sent_at >= $1 and f.sent_at < $2 and f.csat_rating is not null;
