-- direct children of each category (dataloader batch), ordered by name.
select c.* from public.support_categories c where c.parent_id = any($1::int[]) order by c.name;
