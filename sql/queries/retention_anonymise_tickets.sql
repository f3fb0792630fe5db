-- retention: anonymise the next $4 tickets created before $1 (subject and tags replaced, figures
-- kept), in (created_at, id) order after ($2, $3): a keyset over support_tickets_created_at_idx,
-- so each batch costs the same however many tickets are already anonymised. returns the last
-- key reached (null: done) and how many were changed.
with doomed as (
  select t.id, t.created_at from public.support_tickets t
  where t.created_at < $1::timestamptz
    and (t.created_at, t.id) > ($2::timestamptz, $3::bigint)
  order by t.created_at, t.id
  limit $4
), done as (
  update public.support_tickets t
  set subject = 'ticket ' || t.id::text, tags = '{}', anonymised_at = pg_catalog.now()
  from doomed d
  where t.id = d.id and t.anonymised_at is null
  returning 1)
select (select d.created_at from doomed d order by d.created_at desc, d.id desc limit 1) as last_at,
       (select d.id from doomed d order by d.created_at desc, d.id desc limit 1) as last_id,
       (select count(*) from done)::integer as changed;
