-- backlog at many instants in one pass, for backlog kpi series (timeSeries of backlog,
-- backlog_unassigned, backlog_unanswered).
--
-- analytics.backlog_at (20261125000400) answers one instant: it reads every ticket still open and
-- every ticket resolved after that instant. evaluated once per series bucket that is
-- o(buckets × tickets resolved since the bucket): an hour series over 30 days re-reads the last
-- month's tickets 720 times. this function reads the tickets open at any of the instants once and
-- turns each into the range of instants at which it counts (a difference array summed in
-- instant order), so its cost is one scan of those tickets plus one row per instant and group.
--
-- definitions are backlog_at's, column for column:
--   open        created before the instant and not resolved by then
--               (created_at < at and (resolved_at is null or resolved_at > at));
--   unassigned  open and without an assigned agent now (there is no assignment history);
--   unanswered  open and without a first public agent reply by then
--               (first_response_at is null or first_response_at > at).
-- resolved_at is the latest resolution (no reopen timestamp), as in backlog_at. groupings and the
-- team / agent scope are backlog_at's too (analytics.group_key, the ticket's team and assigned
-- agent). security invoker (the default): row level security of the caller decides which tickets
-- count. a single-select sql function without set options, so it is inlined into the calling
-- statement like the other analytics functions; references are schema-qualified for that reason.

-- p_instants must be sorted ascending without repeats (width_bucket's thresholds); instant k of
-- the array is instant_no k. one row per instant for every group with open tickets at it, and
-- always one row keyed 'all' per instant when p_group is null. null or empty p_instants: no rows.
--
-- how the ranges are found, for instants e[1..m] (timestamps are whole microseconds):
--   e[j] > created_at                  ⇔ j > width_bucket(created_at, e)
--   e[j] < resolved_at                 ⇔ j ≤ width_bucket(resolved_at − 1 µs, e)
--   e[j] < least(resolved_at, first_response_at), likewise for unanswered
-- a ticket adds +1 at its first instant and −1 after its last; running sums give the counts.
create or replace function analytics.backlog_series(
  p_instants timestamptz[],
  p_group text default null,
  p_team uuid default null,
  p_agent uuid default null
) returns table (
  instant_no integer,
  group_key text,
  group_label text,
  open bigint,
  unassigned bigint,
  unanswered bigint
)
language sql stable
as $$
  with candidates as (
    -- open at some instant: created before the last one and not resolved by the first one. two
    -- disjoint index scans, as in backlog_at (still open; resolved after the first instant).
    select t.channel, t.category_id, t.priority, t.status, t.vip_tier, t.team_id,
           t.assigned_agent_id, t.created_at, t.resolved_at, t.first_response_at
    from public.support_tickets t
    where t.resolved_at is null and t.created_at < p_instants[cardinality(p_instants)]
    union all
    select t.channel, t.category_id, t.priority, t.status, t.vip_tier, t.team_id,
           t.assigned_agent_id, t.created_at, t.resolved_at, t.first_response_at
    from public.support_tickets t
    where t.resolved_at > p_instants[1] and t.created_at < p_instants[cardinality(p_instants)]
  ),
  spans as (
    select
      analytics.group_key(p_group, o.channel, c.path, o.priority, o.status, o.vip_tier,
                          o.team_id, o.assigned_agent_id) as k,
      (o.assigned_agent_id is null)::integer as u,
      width_bucket(o.created_at, p_instants) + 1 as first_no,
      coalesce(width_bucket(o.resolved_at - interval '1 microsecond', p_instants),
               cardinality(p_instants)) as open_last,
      coalesce(width_bucket(least(o.resolved_at, o.first_response_at)
                              - interval '1 microsecond', p_instants),
               cardinality(p_instants)) as unanswered_last
    from candidates o
    left join public.support_categories c on c.id = o.category_id
    where (p_team is null or o.team_id = p_team)
      and (p_agent is null or o.assigned_agent_id = p_agent)
      and analytics.check_group(p_group, array['channel', 'category', 'priority', 'status',
                                               'vip_tier', 'team', 'agent'])
  ),
  steps (k, no, d_open, d_unassigned, d_unanswered) as (
    select k, first_no, 1, u, (first_no <= unanswered_last)::integer
    from spans
    where first_no <= open_last
    union all
    select k, open_last + 1, -1, -u, 0
    from spans
    where first_no <= open_last and open_last < cardinality(p_instants)
    union all
    select k, unanswered_last + 1, 0, 0, -1
    from spans
    where first_no <= unanswered_last and unanswered_last < cardinality(p_instants)
  ),
  keys as (
    select distinct k from steps
    union
    select 'all' where p_group is null
  ),
  -- every key at every instant (zero steps), so the running sums have a row at each instant.
  grid (k, no, d_open, d_unassigned, d_unanswered) as (
    select k, no, d_open, d_unassigned, d_unanswered from steps
    union all
    select keys.k, g.no, 0, 0, 0
    from keys
    cross join generate_series(1, cardinality(p_instants)) as g (no)
  ),
  running as (
    select
      no,
      k,
      sum(sum(d_open)) over w as n_open,
      sum(sum(d_unassigned)) over w as n_unassigned,
      sum(sum(d_unanswered)) over w as n_unanswered
    from grid
    group by k, no
    window w as (partition by k order by no)
  )
  select r.no, r.k, analytics.group_label(p_group, r.k), r.n_open::bigint,
         r.n_unassigned::bigint, r.n_unanswered::bigint
  from running r
  where r.n_open > 0 or r.k = 'all'
$$;
comment on function analytics.backlog_series(timestamptz[], text, uuid, uuid) is 'backlog_at''s open, unassigned and unanswered counts at each of the ascending instants p_instants (instant_no = array position), per group (''all'' when p_group is null), in one pass over the tickets open at any of them.';

revoke all on function analytics.backlog_series(timestamptz[], text, uuid, uuid) from public;
grant execute on function analytics.backlog_series(timestamptz[], text, uuid, uuid)
  to authenticated, service_role;
