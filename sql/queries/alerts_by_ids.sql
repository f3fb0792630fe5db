-- alerts by id (dataloader batch); alerts the caller may not see are simply absent.
select a.* from public.support_alerts a where a.id = any($1::bigint[]);
