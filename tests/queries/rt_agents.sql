-- realtime tests: every agent with its team, as the owner.
select a.id, a.team_id, a.user_id from public.agents a order by a.id;
