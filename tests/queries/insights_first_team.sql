-- test support (insights skill gaps): the first team by name.
select t.id from public.teams t order by t.name limit 1;
