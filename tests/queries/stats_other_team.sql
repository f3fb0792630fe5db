-- statistics cache test: the first team by name other than $1 (as the owner).
select t.id from public.teams t where t.id <> $1 order by t.name limit 1;
