-- supabase realtime as the realtime hub's wake-up (REALTIME_SOURCE=supabase,
-- gateway/realtime/supabase_source.py). LISTEN/NOTIFY does not survive supabase's pooler in
-- transaction mode, so on a hosted project the hub subscribes to realtime `postgres_changes`
-- (INSERT) on public.support_change_log instead, and realtime only streams changes of tables in
-- the `supabase_realtime` publication. realtime only wakes the hub up: the hub still reads the log
-- by seq itself (rt_changes_read), so the events' payloads are never used.
--
-- a do block: the publication exists on supabase (created by the platform), not on a plain
-- postgres, where this migration does nothing. a publication `for all tables` already includes
-- the table (and may not be altered), hence the check on pg_publication_tables.
--
-- who hears of which change: realtime checks each change against the role and claims of the
-- subscriber's token (realtime.apply_rls: the role's column privileges, then the table's rls
-- policies under the token's claims). the policies stay as they are (20261125000600):
-- `authenticated` sees the rows of what its user may see (support_change_log_select), `anon` has no
-- privilege at all (realtime answers it "401 unauthorized", no row data). the gateway subscribes
-- with the service_role key, which bypasses rls, so it hears of every change; no policy for anon
-- is added: the log carries ticket rows, and the anon key is public.
--
-- inserts only need the default replica identity (the primary key); updates and deletes of the
-- log (pruning) are not subscribed to.
do $$
begin
  if exists (select 1 from pg_catalog.pg_publication where pubname = 'supabase_realtime')
     and not exists (
       select 1 from pg_catalog.pg_publication_tables
       where pubname = 'supabase_realtime'
         and schemaname = 'public'
         and tablename = 'support_change_log')
  then
    alter publication supabase_realtime add table public.support_change_log;
  end if;
end
$$;
