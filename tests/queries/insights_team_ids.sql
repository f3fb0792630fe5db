-- test support (insights skill gaps): every team, by name.
select t.id from public.teams t order by t.name;
