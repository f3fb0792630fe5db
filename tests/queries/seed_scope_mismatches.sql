-- test support: rows hanging off a ticket whose denormalised ticket scope (ticket_team_id,
-- ticket_agent_id) differs from their ticket's team_id and assigned_agent_id; and rows counted.
select
  (select count(*) from public.support_interactions i
   join public.support_tickets t on t.id = i.ticket_id
   where (i.ticket_team_id, i.ticket_agent_id)
         is distinct from (t.team_id, t.assigned_agent_id)) as interactions,
  (select count(*) from public.support_sla_compliance s
   join public.support_tickets t on t.id = s.ticket_id
   where (s.ticket_team_id, s.ticket_agent_id)
         is distinct from (t.team_id, t.assigned_agent_id)) as sla,
  (select count(*) from public.support_feedback_surveys f
   join public.support_tickets t on t.id = f.ticket_id
   where (f.ticket_team_id, f.ticket_agent_id)
         is distinct from (t.team_id, t.assigned_agent_id)) as surveys,
  (select count(*) from public.support_interactions i where i.ticket_agent_id is not null) as with_agent,
  (select count(*) from public.support_interactions i where i.ticket_agent_id is null) as without_agent;
