-- every injected incident, earliest first (as the owner: no rls).
select * from public.support_incidents order by starts_at, id;
