-- test support (insights roles): the agents of team $1.
select a.id from public.agents a where a.team_id = $1;
