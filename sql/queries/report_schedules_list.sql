-- the caller's schedules (rls: own rows only), newest first.
select s.* from public.report_schedules s order by s.created_at desc, s.id;
