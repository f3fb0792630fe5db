-- skill gaps: tickets resolved in [$2, $3) by the agents of team $1 (the agent's team, wherever
-- the ticket was routed), with what the skill analysis compares: root category and channel (the
-- skills), resolution minutes, reopened, the csat rating and the mean qa score of the ticket.
-- under the caller's rights (a lead sees the team's tickets, an agent their own).
select
  t.id as ticket_id,
  t.assigned_agent_id as agent_id,
  a.display_name,
  split_part(c.path, '/', 1) as category_root,
  t.channel,
  t.resolved_at,
  extract(epoch from t.resolved_at - t.created_at) / 60.0 as resolution_minutes,
  t.reopen_count > 0 as reopened,
  f.csat_rating::integer as csat,
  (select avg(q.score) from public.support_qa_evaluations q
   where q.ticket_id = t.id)::double precision as qa_score
from public.support_tickets t
join public.agents a on a.id = t.assigned_agent_id
join public.support_categories c on c.id = t.category_id
left join public.support_feedback_surveys f on f.ticket_id = t.id and f.csat_rating is not null
where a.team_id = $1::uuid
  and t.resolved_at >= $2::timestamptz and t.resolved_at < $3::timestamptz;
