-- supabase source tests: the newest change log row's seq.
select max(seq) as seq from public.support_change_log;
