-- categories with their paths (as the owner).
select id, parent_id, path from public.support_categories order by id;
