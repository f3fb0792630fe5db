-- privacy (issue 13), step 2: the data subject's rights of access (export) and erasure.
--
-- both are driven by the catalog, so a new table or column is covered without touching them:
--
--   which rows are about a customer: app.subject_tables() walks the foreign keys of schema public
--   from public.customers (a table referencing customers, or a table referencing such a table,
--   and so on) plus the links no foreign key states (app.subject_links: the realtime change log's
--   ticket_id, the audit log's customer_id). a new table with a foreign key to customers or
--   tickets is exported (and erased) automatically.
--
--   which columns may hold personal data: app.personal_data_catalog classifies every column of
--   schema public that can hold text (text, varchar, json, jsonb, bytea, arrays of them) unless a
--   single-column check constraint limits it to a closed set of values;
--   tests/privacy/test_catalog.py fails when such a column is not classified. the class says
--   what erasure does: delete the row, redact the customer's identifiers in it, or keep it
--   (reference data, staff data, audit records, closed values).
--
-- erasure (app.erase_customer) runs in one transaction: contact data, message bodies,
-- predictions and exports of the customer are deleted; the customer's name parts, email and
-- phone are replaced by '[redacted]' in every redactable column of their rows (ticket subjects
-- and tags, qa feedback, alert texts, change log rows); the customer row stays as an anonymous
-- record (tier, segment, country, value) so tickets, surveys and vip periods, and therefore
-- counts and kpis, are unchanged. it is idempotent (customers.erased_at) and audited with the
-- counts of what was done. the customer's uuid remains as a pseudonymous key.

alter table public.customers add column erased_at timestamptz;
comment on column public.customers.erased_at is 'when the customer''s personal data was erased (app.erase_customer); the row stays as an anonymous record.';

-- ---------------------------------------------------------------------------------------------
-- the catalog
-- ---------------------------------------------------------------------------------------------

create table app.personal_data_catalog (
  table_name text not null,
  column_name text not null,
  data_class text not null check (data_class in (
    'identifier', 'free_text', 'structured', 'staff', 'reference', 'operational', 'audit')),
  on_erasure text not null check (on_erasure in ('delete_row', 'redact', 'keep')),
  note text not null,
  primary key (table_name, column_name),
  check (on_erasure <> 'keep' or data_class not in ('identifier', 'free_text', 'structured'))
);
comment on table app.personal_data_catalog is 'classification of every column of schema public that can hold text: whether it may carry a customer''s personal data and what erasure does with it.';
alter table app.personal_data_catalog enable row level security;
revoke all on app.personal_data_catalog from public, anon, authenticated;

insert into app.personal_data_catalog (table_name, column_name, data_class, on_erasure, note) values
  ('customer_contacts', 'full_name', 'identifier', 'delete_row', 'the customer''s name'),
  ('customer_contacts', 'email', 'identifier', 'delete_row', 'the customer''s email'),
  ('customer_contacts', 'phone', 'identifier', 'delete_row', 'the customer''s phone'),
  ('support_interaction_bodies', 'body', 'free_text', 'delete_row', 'messages written by or to the customer'),
  ('support_tickets', 'subject', 'free_text', 'redact', 'written by the customer; may name them'),
  ('support_tickets', 'tags', 'free_text', 'redact', 'free tags; may name them'),
  ('support_qa_evaluations', 'feedback', 'free_text', 'redact', 'reviewer''s text about a ticket; may quote the customer'),
  ('support_alerts', 'title', 'free_text', 'redact', 'may quote a ticket'),
  ('support_alerts', 'message', 'free_text', 'redact', 'may quote a ticket'),
  ('support_alerts', 'details', 'structured', 'redact', 'may quote a ticket'),
  ('support_alerts', 'dedup_key', 'operational', 'keep', 'machine key of the alerting rule'),
  ('support_change_log', 'old_row', 'structured', 'redact', 'copies of ticket columns (subject, tags)'),
  ('support_change_log', 'new_row', 'structured', 'redact', 'copies of ticket columns (subject, tags)'),
  ('support_predictions', 'scope', 'operational', 'keep', 'what a forecast covers; rows about a customer are deleted by erasure through their customer_id'),
  ('support_predictions', 'model', 'operational', 'keep', 'model name'),
  ('support_incidents', 'scope', 'operational', 'keep', 'organisation-level ground truth of the generator'),
  ('support_incidents', 'description', 'operational', 'keep', 'organisation-level ground truth of the generator'),
  ('customers', 'country', 'reference', 'keep', 'iso country code, kept for aggregates'),
  ('privacy_exports', 'archive', 'identifier', 'delete_row', 'a subject-access export: everything about the customer'),
  ('privacy_exports', 'token_sha256', 'operational', 'keep', 'hash of the download link'),
  ('privacy_exports', 'sha256', 'operational', 'keep', 'checksum of the archive'),
  ('privacy_audit_log', 'actor_role', 'audit', 'keep', 'who acted (an application role)'),
  ('privacy_audit_log', 'operation', 'audit', 'keep', 'graphql operation name'),
  ('privacy_audit_log', 'request_id', 'audit', 'keep', 'request id'),
  ('privacy_audit_log', 'details', 'audit', 'keep', 'counts and codes, never a customer''s identifiers'),
  ('agents', 'display_name', 'staff', 'keep', 'staff personal data (employment records, not a customer''s)'),
  ('agents', 'email', 'staff', 'keep', 'staff personal data (employment records, not a customer''s)'),
  ('support_training_records', 'course', 'staff', 'keep', 'staff training'),
  ('teams', 'name', 'reference', 'keep', 'organisation'),
  ('teams', 'timezone', 'reference', 'keep', 'organisation'),
  ('support_categories', 'slug', 'reference', 'keep', 'reference data'),
  ('support_categories', 'name', 'reference', 'keep', 'reference data'),
  ('support_categories', 'path', 'reference', 'keep', 'reference data'),
  ('support_business_calendars', 'name', 'reference', 'keep', 'reference data'),
  ('support_business_calendars', 'timezone', 'reference', 'keep', 'reference data'),
  ('support_calendar_holidays', 'name', 'reference', 'keep', 'reference data'),
  ('support_sla_policies', 'name', 'reference', 'keep', 'reference data');

create table app.subject_links (
  child_table text not null,
  child_column text not null,
  parent_table text not null,
  parent_column text not null,
  note text not null,
  predicate text,
  primary key (child_table, child_column),
  check (predicate is null or parent_table = 'customers')
);
comment on table app.subject_links is 'references between tables of schema public that no foreign key states, followed (with the foreign keys) to find the rows about a customer; predicate (over the child''s columns, $1 the customer id) replaces the equality when set.';
alter table app.subject_links enable row level security;
revoke all on app.subject_links from public, anon, authenticated;
insert into app.subject_links values
  ('support_change_log', 'ticket_id', 'support_tickets', 'id', 'changes of a ticket, its interactions and alerts', null),
  ('privacy_audit_log', 'customer_id', 'customers', 'id', 'no foreign key: the audit record outlives erasure; reads of many customers name them in details.customers',
   'customer_id = $1 or details -> ''customers'' ? ($1::text)');

-- the rows about a customer, table by table: a predicate over the table's columns with $1 the
-- customer id (one per path from customers, or-ed).
create or replace function app.subject_tables()
returns table (table_name text, predicate text)
language sql stable
set search_path = ''
as $$
  with recursive links (child, child_col, parent, parent_col, predicate) as (
    select ch.relname::text collate pg_catalog."default", ca.attname::text collate pg_catalog."default",
           pa.relname::text collate pg_catalog."default", pa_att.attname::text collate pg_catalog."default",
           null::text
    from pg_catalog.pg_constraint k
    join pg_catalog.pg_class ch on ch.oid = k.conrelid
    join pg_catalog.pg_namespace chn on chn.oid = ch.relnamespace
    join pg_catalog.pg_class pa on pa.oid = k.confrelid
    join pg_catalog.pg_namespace pan on pan.oid = pa.relnamespace
    join pg_catalog.pg_attribute ca on ca.attrelid = k.conrelid and ca.attnum = k.conkey[1]
    join pg_catalog.pg_attribute pa_att on pa_att.attrelid = k.confrelid and pa_att.attnum = k.confkey[1]
    where k.contype = 'f' and pg_catalog.cardinality(k.conkey) = 1 and k.conparentid = 0
      and chn.nspname = 'public' and pan.nspname = 'public' and not ch.relispartition
    union
    select l.child_table, l.child_column, l.parent_table, l.parent_column, l.predicate
    from app.subject_links l
  ),
  reach (table_name, predicate, depth) as (
    select 'customers'::text, 'id = $1'::text, 0
    union all
    select l.child,
           case when l.predicate is not null then l.predicate
                when l.parent = 'customers' and l.parent_col = 'id'
                then pg_catalog.format('%I = $1', l.child_col)
                else pg_catalog.format('%I in (select %I from public.%I where %s)',
                                       l.child_col, l.parent_col, l.parent, r.predicate) end,
           r.depth + 1
    from links l
    join reach r on r.table_name = l.parent
    where r.depth < 4 and l.child <> 'customers'
  )
  select r.table_name, pg_catalog.string_agg('(' || r.predicate || ')', ' or ' order by r.predicate)
  from reach r
  group by r.table_name
$$;
comment on function app.subject_tables() is 'every table of schema public holding rows about a customer, with the predicate selecting them ($1 = customer id), from the foreign keys and app.subject_links.';
revoke execute on function app.subject_tables() from public, anon, authenticated;

-- ---------------------------------------------------------------------------------------------
-- helpers
-- ---------------------------------------------------------------------------------------------

create or replace function app.require_privacy_role(p_action text, p_customer_id uuid)
returns void
language plpgsql stable
set search_path = ''
as $$
begin
  if not (app.app_role() in ('admin', 'dpo') or auth.role() = 'service_role'
          or (nullif(pg_catalog.current_setting('request.jwt.claims', true), '') is null
              and current_user::text = session_user::text)) then
    raise exception '% is for the admin and dpo roles only', p_action
      using errcode = 'insufficient_privilege';
  end if;
  if p_customer_id is not null
     and not exists (select 1 from public.customers c where c.id = p_customer_id) then
    raise exception 'customer % does not exist', p_customer_id using errcode = 'no_data_found';
  end if;
end;
$$;
comment on function app.require_privacy_role(text, uuid) is 'refuses callers other than admin, dpo, service_role and a direct database session without jwt claims (the cli); and a customer that does not exist.';
revoke execute on function app.require_privacy_role(text, uuid) from public, anon, authenticated;

-- a regular expression matching the customer's identifiers (case-insensitive use): the full name,
-- each part of it of two letters or more (as a word), the email and its local part, the phone.
-- p_json: the identifiers as they appear inside json text (quotes and backslashes escaped).
create or replace function app.identifier_pattern(p_customer_id uuid, p_json boolean)
returns text
language sql stable
set search_path = ''
as $$
  with ids as (
    select cc.full_name as term, false as word from public.customer_contacts cc
    where cc.customer_id = p_customer_id
    union all
    select cc.email, false from public.customer_contacts cc where cc.customer_id = p_customer_id
    union all
    select pg_catalog.split_part(cc.email, '@', 1), true from public.customer_contacts cc
    where cc.customer_id = p_customer_id and pg_catalog.length(pg_catalog.split_part(cc.email, '@', 1)) >= 4
    union all
    select cc.phone, false from public.customer_contacts cc
    where cc.customer_id = p_customer_id and cc.phone is not null
    union all
    select part, true
    from public.customer_contacts cc,
         pg_catalog.regexp_split_to_table(cc.full_name, '\s+') as part
    where cc.customer_id = p_customer_id and pg_catalog.length(part) >= 2
  ),
  escaped as (
    select case when p_json
                then pg_catalog.substr(pg_catalog.to_jsonb(term)::text, 2,
                                       pg_catalog.length(pg_catalog.to_jsonb(term)::text) - 2)
                else term end as term, word
    from ids where term <> ''
  )
  select pg_catalog.string_agg(
           case when word then '\m' else '' end
           || pg_catalog.regexp_replace(term, '([.^$*+?()\[\]{}|\\-])', '\\\1', 'g')
           || case when word then '\M' else '' end,
           '|' order by pg_catalog.length(term) desc)
  from escaped
$$;
comment on function app.identifier_pattern(uuid, boolean) is 'regular expression of a customer''s identifiers (name and its parts, email, phone), longest first; json-escaped when p_json.';
revoke execute on function app.identifier_pattern(uuid, boolean) from public, anon, authenticated;

-- ---------------------------------------------------------------------------------------------
-- subject access: everything about one customer, as json
-- ---------------------------------------------------------------------------------------------

create table public.privacy_exports (
  id uuid primary key default gen_random_uuid(),
  customer_id uuid not null references public.customers (id) on delete cascade,
  requested_by uuid,
  created_at timestamptz not null default pg_catalog.now(),
  expires_at timestamptz not null,
  token_sha256 text not null unique,
  sha256 text not null,
  archive bytea not null,
  downloads integer not null default 0 check (downloads >= 0),
  check (expires_at > created_at)
);
comment on table public.privacy_exports is 'subject-access archives waiting to be downloaded through their short-lived link (the link''s token is stored hashed); deleted when expired, and by erasure.';
create index privacy_exports_customer_id_idx on public.privacy_exports (customer_id);
create index privacy_exports_expires_at_idx on public.privacy_exports (expires_at);
alter table public.privacy_exports enable row level security;
revoke all on public.privacy_exports from public, anon, authenticated;
-- no policy: nobody reads archives through the api; the download route calls app.take_export.

create or replace function app.export_customer(p_customer_id uuid) returns jsonb
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  t record;
  rows jsonb;
  out jsonb := '{}'::jsonb;
  counts jsonb := '{}'::jsonb;
begin
  perform app.require_privacy_role('exporting a customer''s data', p_customer_id);
  for t in select s.table_name, s.predicate from app.subject_tables() s
           where s.table_name <> 'privacy_exports' order by s.table_name loop
    execute pg_catalog.format(
      'select coalesce(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(x)), ''[]''::jsonb) '
      'from public.%I x where %s', t.table_name, t.predicate)
      into rows using p_customer_id;
    out := out || pg_catalog.jsonb_build_object(t.table_name, rows);
    counts := counts || pg_catalog.jsonb_build_object(t.table_name, pg_catalog.jsonb_array_length(rows));
  end loop;
  perform app.audit_record('export', p_customer_id, 1, pg_catalog.jsonb_build_object('rows', counts));
  return out;
end;
$$;
comment on function app.export_customer(uuid) is 'subject access: every row about the customer, per table ({table: [row, ...]}); admin and dpo only; audited. security definer: it reads every table whatever the caller''s row level security, after checking the caller''s role.';
revoke execute on function app.export_customer(uuid) from public, anon;
grant execute on function app.export_customer(uuid) to authenticated, service_role;

create or replace function app.store_export(
  p_customer_id uuid, p_archive bytea, p_ttl_seconds integer
) returns table (token text, expires_at timestamptz, sha256 text)
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  new_token text := pg_catalog.replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '');
  digest text := pg_catalog.encode(pg_catalog.sha256(p_archive), 'hex');
  expiry timestamptz := pg_catalog.now() + pg_catalog.make_interval(secs => p_ttl_seconds);
begin
  perform app.require_privacy_role('exporting a customer''s data', p_customer_id);
  if p_ttl_seconds not between 10 and 86400 then
    raise exception 'export links live between 10 seconds and a day' using errcode = 'invalid_parameter_value';
  end if;
  insert into public.privacy_exports (customer_id, requested_by, expires_at, token_sha256, sha256, archive)
  values (p_customer_id, auth.uid(), expiry,
          pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(new_token, 'UTF8')), 'hex'),
          digest, p_archive);
  return query select new_token, expiry, digest;
end;
$$;
comment on function app.store_export(uuid, bytea, integer) is 'keeps a subject-access archive for p_ttl_seconds and returns the download token (stored only as its sha-256). security definer: the archive table grants nothing to api roles.';
revoke execute on function app.store_export(uuid, bytea, integer) from public, anon;
grant execute on function app.store_export(uuid, bytea, integer) to authenticated, service_role;

create or replace function app.take_export(p_token text)
returns table (customer_id uuid, archive bytea, sha256 text)
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  found_id uuid;
begin
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
comment on function app.take_export(text) is 'the archive behind a download token that has not expired (nothing otherwise); audited. security definer: the link is the credential.';
revoke execute on function app.take_export(text) from public, anon, authenticated;
grant execute on function app.take_export(text) to service_role;

-- ---------------------------------------------------------------------------------------------
-- erasure
-- ---------------------------------------------------------------------------------------------

create or replace function app.redact_text(p_value text, p_pattern text) returns text
language sql immutable
set search_path = ''
as $$
  select case when p_pattern is null or p_value is null then p_value
              else pg_catalog.regexp_replace(p_value, p_pattern, '[redacted]', 'gi') end
$$;
comment on function app.redact_text(text, text) is 'p_value with every match of p_pattern (case-insensitive) replaced by [redacted].';

create or replace function app.erase_customer(p_customer_id uuid, p_reason text) returns jsonb
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  erased timestamptz;
  text_pattern text;
  json_pattern text;
  t record;
  col record;
  n bigint;
  done jsonb := '{}'::jsonb;
  summary jsonb;
begin
  perform app.require_privacy_role('erasing a customer', p_customer_id);
  if p_reason is null or pg_catalog.btrim(p_reason) = '' then
    raise exception 'a reason is required' using errcode = 'invalid_parameter_value';
  end if;
  select c.erased_at into erased from public.customers c where c.id = p_customer_id for update;
  if erased is not null then
    summary := pg_catalog.jsonb_build_object('already_erased', true, 'erased_at', erased, 'reason', p_reason);
    perform app.audit_record('erase', p_customer_id, 1, summary);
    return summary;
  end if;
  text_pattern := app.identifier_pattern(p_customer_id, false);
  json_pattern := app.identifier_pattern(p_customer_id, true);

  for t in select s.table_name, s.predicate from app.subject_tables() s order by s.table_name loop
    -- redact before deleting: the patterns come from the contact row
    for col in
      select pc.column_name, a.atttypid::pg_catalog.regtype::text as type_name
      from app.personal_data_catalog pc
      join pg_catalog.pg_attribute a
        on a.attrelid = ('public.' || pg_catalog.quote_ident(pc.table_name))::pg_catalog.regclass
       and a.attname = pc.column_name and not a.attisdropped
      where pc.table_name = t.table_name and pc.on_erasure = 'redact'
      order by pc.column_name
    loop
      if text_pattern is null then
        continue;
      end if;
      if col.type_name in ('jsonb', 'json') then
        execute pg_catalog.format(
          'update public.%1$I set %2$I = pg_catalog.regexp_replace(%2$I::text, $2, ''[redacted]'', ''gi'')::%3$s '
          'where (%4$s) and %2$I::text ~* $2', t.table_name, col.column_name, col.type_name, t.predicate)
          using p_customer_id, json_pattern;
      elsif col.type_name like '%[]' then
        execute pg_catalog.format(
          'update public.%1$I set %2$I = array(select app.redact_text(v, $2) from pg_catalog.unnest(%2$I) v) '
          'where (%3$s) and pg_catalog.array_to_string(%2$I, '' '') ~* $2', t.table_name, col.column_name, t.predicate)
          using p_customer_id, text_pattern;
      else
        execute pg_catalog.format(
          'update public.%1$I set %2$I = app.redact_text(%2$I, $2) where (%3$s) and %2$I ~* $2',
          t.table_name, col.column_name, t.predicate)
          using p_customer_id, text_pattern;
      end if;
      get diagnostics n = row_count;
      if n > 0 then
        done := done || pg_catalog.jsonb_build_object(t.table_name || '.' || col.column_name || ' redacted', n);
      end if;
    end loop;
  end loop;

  -- rows deleted: contact data, message bodies, exports; predictions about the customer
  for t in
    select s.table_name, s.predicate from app.subject_tables() s
    where s.table_name in (select pc.table_name from app.personal_data_catalog pc where pc.on_erasure = 'delete_row')
       or s.table_name = 'support_predictions'
    order by s.table_name
  loop
    execute pg_catalog.format('delete from public.%I where %s', t.table_name, t.predicate) using p_customer_id;
    get diagnostics n = row_count;
    done := done || pg_catalog.jsonb_build_object(t.table_name || ' deleted', n);
  end loop;

  update public.customers c
  set erased_at = pg_catalog.now(), consent_marketing = false, consent_surveys = false,
      consent_analytics = false
  where c.id = p_customer_id;

  summary := pg_catalog.jsonb_build_object('already_erased', false, 'reason', p_reason, 'done', done);
  perform app.audit_record('erase', p_customer_id, 1, summary);
  return summary;
end;
$$;
comment on function app.erase_customer(uuid, text) is 'erasure of one customer''s personal data (see the migration header): one transaction, idempotent, audited; returns what was done. security definer: it changes tables no api role may write, after checking the caller''s role (admin, dpo; service_role and the cli).';
revoke execute on function app.erase_customer(uuid, text) from public, anon;
grant execute on function app.erase_customer(uuid, text) to authenticated, service_role;
