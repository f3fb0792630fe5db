-- the name of team $1 if the caller may see it (rls), else no row.
select t.name from public.teams t where t.id = $1::uuid;
