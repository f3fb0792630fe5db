-- every category visible to the caller, roots first.
select c.* from public.support_categories c order by c.depth, c.path;
