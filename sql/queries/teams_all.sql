-- every team visible to the caller.
select t.* from public.teams t order by t.name;
