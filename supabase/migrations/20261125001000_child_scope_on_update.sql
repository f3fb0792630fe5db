-- the ticket scope copied onto interactions, sla rows and surveys (ticket_team_id,
-- ticket_agent_id) is read by their row level security policies and, since 20261125000800, by
-- the survey and sla statistics. it was set on insert and moved when the ticket changes team or
-- agent; a row moved to another ticket (update of ticket_id), or an update writing the copies
-- themselves, could leave them different from the ticket's. these triggers recompute the copies
-- from the ticket on any such update (app.fill_ticket_scope, as on insert), so the copies always
-- equal the ticket's team and agent.

create trigger support_interactions_refill_ticket_scope
  before update of ticket_id, ticket_team_id, ticket_agent_id on public.support_interactions
  for each row execute function app.fill_ticket_scope();
create trigger support_sla_compliance_refill_ticket_scope
  before update of ticket_id, ticket_team_id, ticket_agent_id on public.support_sla_compliance
  for each row execute function app.fill_ticket_scope();
create trigger support_feedback_surveys_refill_ticket_scope
  before update of ticket_id, ticket_team_id, ticket_agent_id on public.support_feedback_surveys
  for each row execute function app.fill_ticket_scope();

comment on function app.fill_ticket_scope() is 'before insert or update (of ticket_id or the copies) trigger on rows of a ticket: copies the ticket''s team and agent into ticket_team_id, ticket_agent_id; refuses a missing ticket.';
