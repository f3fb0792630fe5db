-- anonymous callers may query the reports tables and get no rows (no policy is granted to
-- anon), as for every other table, instead of a permission error.
grant select on public.report_definitions, public.report_schedules, public.report_deliveries
  to anon;
