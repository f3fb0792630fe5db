-- scope sync tests: write a team and agent into ticket $1's sla rows' copies directly.
update public.support_sla_compliance
set ticket_team_id = $2, ticket_agent_id = $3
where ticket_id = $1;
