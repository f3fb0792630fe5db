-- scope sync tests: the first surveyed ticket with an agent, and an agent of another team.
select t.id as ticket_id, t.team_id, t.assigned_agent_id,
       (select a.id from public.agents a where a.team_id <> t.team_id order by a.id limit 1) as other_agent,
       (select a.team_id from public.agents a where a.team_id <> t.team_id order by a.id limit 1) as other_team
from public.support_tickets t
join public.support_feedback_surveys f on f.ticket_id = t.id
where t.assigned_agent_id is not null
order by t.id
limit 1;
