-- privacy (issue 13): subject access and erasure reach the retention archives.
--
-- the retention run writes months of interactions (with their message bodies), of the change log
-- and of the audit log to gzip csv files (ARCHIVE_DIR/<table>/<YYYY-MM>/, recorded in
-- public.privacy_archives). the gateway reads and rewrites those files (resolvers/
-- privacy_archived.py); the database gives it, inside the erasure's or export's transaction:
--   app.archive_subject(customer)  the customer's ticket ids and identifiers (name, email, phone:
--                                  what to redact in archived text), read before the erasure
--                                  removes them;
--   app.reseal_archive(...)        the new sha-256 of a rewritten archive's manifest and its row
--                                  count, so privacy_archives still matches the file.

create or replace function app.archive_subject(p_customer_id uuid) returns jsonb
language plpgsql stable security definer
set search_path = ''
as $$
begin
  perform app.require_privacy_role('reading a customer''s archived data', p_customer_id);
  return pg_catalog.jsonb_build_object(
    'tickets', coalesce((select pg_catalog.jsonb_agg(t.id order by t.id)
                         from public.support_tickets t where t.customer_id = p_customer_id),
                        '[]'::jsonb),
    'full_name', (select cc.full_name from public.customer_contacts cc where cc.customer_id = p_customer_id),
    'email', (select cc.email from public.customer_contacts cc where cc.customer_id = p_customer_id),
    'phone', (select cc.phone from public.customer_contacts cc where cc.customer_id = p_customer_id),
    'archives', coalesce((select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                                   'table', a.table_name, 'month', a.month, 'manifest', a.file_path)
                                 order by a.table_name, a.month)
                          from public.privacy_archives a), '[]'::jsonb));
end;
$$;
comment on function app.archive_subject(uuid) is 'what the gateway needs to find and erase a customer in the retention archive files: their ticket ids, name, email and phone (null once erased), and every archive manifest; admin and dpo only. security definer: contact data and the archive list whatever the caller''s row level security, after checking the role.';
revoke execute on function app.archive_subject(uuid) from public, anon;
grant execute on function app.archive_subject(uuid) to authenticated, service_role;

create or replace function app.reseal_archive(
  p_customer_id uuid, p_manifest text, p_sha256 text, p_rows bigint
) returns integer
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  n integer;
begin
  perform app.require_privacy_role('erasing a customer', p_customer_id);
  update public.privacy_archives a set sha256 = p_sha256, rows = p_rows
  where a.file_path = p_manifest;
  get diagnostics n = row_count;
  return n;
end;
$$;
comment on function app.reseal_archive(uuid, text, text, bigint) is 'records the new manifest checksum and row count of an archive the erasure of p_customer_id rewrote; admin and dpo only. security definer: api roles may not write privacy_archives.';
revoke execute on function app.reseal_archive(uuid, text, text, bigint) from public, anon;
grant execute on function app.reseal_archive(uuid, text, text, bigint) to authenticated, service_role;
