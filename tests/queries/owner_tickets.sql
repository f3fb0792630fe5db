-- every ticket with the columns the visibility rule depends on (as the owner: no rls).
select id, team_id, assigned_agent_id, customer_id from public.support_tickets order by id;
