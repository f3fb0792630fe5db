-- categories by id (dataloader batch).
select c.* from public.support_categories c where c.id = any($1::int[]);
