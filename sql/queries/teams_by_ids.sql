-- teams by id (dataloader batch).
select t.* from public.teams t where t.id = any($1::uuid[]);
