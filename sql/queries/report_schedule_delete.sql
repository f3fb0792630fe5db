-- delete the caller's schedule $1 (rls: own rows only) and, by cascade, its delivery records.
delete from public.report_schedules s where s.id = $1::uuid returning s.id;
