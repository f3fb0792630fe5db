-- retention (issue 13) for the statistics cache's version notes (migration 20261203001200):
-- analytics.stats_source_changes gets one row per writing statement and only its newest seq is
-- ever read (analytics.data_version()), so every older row may go. the retention run deletes, in
-- batches, the notes older than the change log's retention, always keeping the newest one so the
-- data version never moves backwards.
create or replace function app.prune_stats_source_changes_batch(p_keep interval, p_batch integer)
returns integer
language sql
volatile
security definer
set search_path = ''
as $$
  with newest as (
    select max(s.seq) as seq from analytics.stats_source_changes s
  ), doomed as (
    select s.seq from analytics.stats_source_changes s
    where s.changed_at < pg_catalog.now() - p_keep
      and s.seq < (select n.seq from newest n)
    order by s.seq
    limit p_batch
  ), gone as (
    delete from analytics.stats_source_changes s using doomed d
    where s.seq = d.seq
    returning 1
  )
  select count(*)::integer from gone
$$;
comment on function app.prune_stats_source_changes_batch(interval, integer) is 'deletes up to p_batch statistics version notes older than p_keep, oldest first, never the newest (the data version reads only max(seq)); the retention run''s batched step.';
revoke execute on function app.prune_stats_source_changes_batch(interval, integer) from public, anon, authenticated;
