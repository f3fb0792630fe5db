-- tickets by id (dataloader batch); rows the caller may not see are simply absent.
select t.* from public.support_tickets t where t.id = any($1::bigint[]);
