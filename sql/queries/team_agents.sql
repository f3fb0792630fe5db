-- agents of each team (dataloader batch $1), by name.
select a.* from public.agents a where a.team_id = any($1::uuid[]) order by a.team_id, a.display_name;
