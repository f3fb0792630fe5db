-- statistics tests: move ticket $1 to team $2 and agent $3 (inside a rolled-back transaction).
update public.support_tickets set team_id = $2, assigned_agent_id = $3 where id = $1;
