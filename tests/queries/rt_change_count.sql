-- realtime tests: how many change log rows there are.
select count(*) from public.support_change_log;
