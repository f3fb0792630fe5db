-- statistics tests: change one ticket and change it back, so the change log (the data version)
-- moves while the data ends as it was (as the owner).
update public.support_tickets set tags = tags || '{stats_test}'::text[]
where id = (select min(id) from public.support_tickets);
update public.support_tickets set tags = array_remove(tags, 'stats_test')
where id = (select min(id) from public.support_tickets);
