-- privacy (issue 13): expired subject-access archives are deleted.
--
-- public.privacy_exports keeps, until its link expires, a zip of everything about one customer;
-- nothing deleted the row after the expiry (the link stopped working, the zip stayed). now the
-- retention run deletes expired rows in batches (app.delete_expired_exports), and every download
-- attempt deletes the expired ones first (app.take_export), so an archive outlives its link by at
-- most the time to the next download attempt or retention run.

create or replace function app.delete_expired_exports(p_limit integer) returns integer
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  n integer;
begin
  delete from public.privacy_exports e
  where e.id in (select x.id from public.privacy_exports x
                 where x.expires_at <= pg_catalog.now()
                 order by x.expires_at limit p_limit);
  get diagnostics n = row_count;
  return n;
end;
$$;
comment on function app.delete_expired_exports(integer) is 'deletes up to p_limit subject-access archives whose link expired; how many. security definer: the archive table grants nothing to api roles.';
revoke execute on function app.delete_expired_exports(integer) from public, anon, authenticated;
grant execute on function app.delete_expired_exports(integer) to service_role;

create or replace function app.take_export(p_token text)
returns table (customer_id uuid, archive bytea, sha256 text)
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  found_id uuid;
begin
  delete from public.privacy_exports e where e.expires_at <= pg_catalog.now();
  update public.privacy_exports e set downloads = e.downloads + 1
  where e.token_sha256 = pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(p_token, 'UTF8')), 'hex')
    and e.expires_at > pg_catalog.now()
  returning e.id into found_id;
  if found_id is null then
    return;
  end if;
  perform app.audit_record('export_download', (select e.customer_id from public.privacy_exports e where e.id = found_id), 1,
                           pg_catalog.jsonb_build_object('export', found_id));
  return query select e.customer_id, e.archive, e.sha256 from public.privacy_exports e where e.id = found_id;
end;
$$;
comment on function app.take_export(text) is 'deletes expired subject-access archives, then returns the archive behind a download token that has not expired (nothing otherwise); audited. security definer: the link is the credential.';
revoke execute on function app.take_export(text) from public, anon, authenticated;
grant execute on function app.take_export(text) to service_role;
