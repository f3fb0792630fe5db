-- agents by id (dataloader batch).
select a.* from public.agents a where a.id = any($1::uuid[]);
