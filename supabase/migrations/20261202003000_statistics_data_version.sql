-- statistics (issue 10): a data version for the gateway's statistics cache.
--
-- the change log is readable by no user role (row level security with no policy), but whether
-- anything changed is needed under every user's rights to invalidate cached results. this
-- function reveals only the newest sequence number, nothing of the rows; hence security definer
-- (owned by the migration role) with an empty search_path.
create or replace function analytics.data_version()
returns bigint
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce((select max(c.seq) from public.support_change_log c), 0)::bigint
$$;
comment on function analytics.data_version() is 'newest support_change_log sequence number: a data version for caches (security definer: reveals a number, no rows).';
revoke all on function analytics.data_version() from public;
grant execute on function analytics.data_version() to authenticated, service_role;
