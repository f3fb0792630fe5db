-- statistics rootCause: the satisfaction statistics of analytics.survey_stats per segment of
-- every requested grouping, in the window and in the comparison window, in one statement: the
-- surveys of both windows are read once (two index range scans of sent_at), each joined to its
-- ticket by primary key (a nested loop of index probes: the surveys of a window belong to
-- tickets created around it, a few thousand heap pages, where a hash join read all 1m tickets),
-- and counted under every grouping at once (grouping sets; categories by leaf, then summed per
-- root category, so the category tree is joined to a few dozen rows rather than every survey).
-- keys and labels are those of analytics.group_key / analytics.group_label, so the rows equal
-- survey_stats' per grouping.
-- row level security decides which surveys and tickets count.
-- $1 from, $2 to, $3 comparison from, $4 comparison to, $5 groupings (text[]),
-- $6 team (the ticket's) or null, $7 assigned agent or null.
with w (period, lo, hi) as (
  values ('current', $1::timestamptz, $2::timestamptz),
         ('previous', $3::timestamptz, $4::timestamptz)
),
surveyed as (
  select w.period,
         t.channel, t.category_id, t.priority, t.status,
         coalesce(t.vip_tier, 'standard') as vip_tier,
         coalesce(f.ticket_team_id::text, 'none') as team,
         coalesce(f.ticket_agent_id::text, 'none') as agent,
         f.responded_at, f.csat_rating, f.nps_score, f.ces_score
  from w
  join public.support_feedback_surveys f on f.sent_at >= w.lo and f.sent_at < w.hi
  left join lateral (
    select x.channel, x.category_id, x.priority, x.status, x.vip_tier
    from public.support_tickets x
    where x.id = f.ticket_id
    offset 0  -- keeps the probe a nested loop (not pulled up into a hash join)
  ) t on true
  where ($6::uuid is null or f.ticket_team_id = $6::uuid)
    and ($7::uuid is null or f.ticket_agent_id = $7::uuid)
),
agg as (
  select period,
         case when grouping(channel) = 0 then 'channel'
              when grouping(category_id) = 0 then 'category'
              when grouping(priority) = 0 then 'priority'
              when grouping(status) = 0 then 'status'
              when grouping(vip_tier) = 0 then 'vip_tier'
              when grouping(team) = 0 then 'team'
              else 'agent' end as grouping,
         case when grouping(channel) = 0 then channel
              when grouping(category_id) = 0 then category_id::text
              when grouping(priority) = 0 then priority
              when grouping(status) = 0 then status
              when grouping(vip_tier) = 0 then vip_tier
              when grouping(team) = 0 then team
              else agent end as group_key,
         count(*) as sent,
         count(responded_at) as responded,
         count(*) filter (where csat_rating = 1) as csat_1,
         count(*) filter (where csat_rating = 2) as csat_2,
         count(*) filter (where csat_rating = 3) as csat_3,
         count(*) filter (where csat_rating = 4) as csat_4,
         count(*) filter (where csat_rating = 5) as csat_5,
         count(*) filter (where nps_score >= 9) as nps_promoters,
         count(*) filter (where nps_score between 7 and 8) as nps_passives,
         count(*) filter (where nps_score <= 6) as nps_detractors,
         count(ces_score) as ces_n,
         coalesce(sum(ces_score), 0) as ces_sum,
         coalesce(sum(ces_score * ces_score), 0) as ces_sum_sq
  from surveyed
  group by grouping sets ((period, channel), (period, category_id), (period, priority),
                          (period, status), (period, vip_tier), (period, team), (period, agent))
),
by_root as (
  -- categories: the leaves' counts summed per root category (the key survey_stats groups by)
  select a.period, a.grouping, split_part(c.path, '/', 1) as group_key,
         sum(a.sent)::bigint as sent, sum(a.responded)::bigint as responded,
         sum(a.csat_1)::bigint as csat_1, sum(a.csat_2)::bigint as csat_2,
         sum(a.csat_3)::bigint as csat_3, sum(a.csat_4)::bigint as csat_4,
         sum(a.csat_5)::bigint as csat_5, sum(a.nps_promoters)::bigint as nps_promoters,
         sum(a.nps_passives)::bigint as nps_passives,
         sum(a.nps_detractors)::bigint as nps_detractors, sum(a.ces_n)::bigint as ces_n,
         sum(a.ces_sum)::bigint as ces_sum, sum(a.ces_sum_sq)::bigint as ces_sum_sq
  from agg a
  left join public.support_categories c on c.id = a.group_key::integer
  where a.grouping = 'category' and 'category' = any ($5::text[])
  group by a.period, a.grouping, split_part(c.path, '/', 1)
),
segments as (
  select * from agg where grouping <> 'category' and grouping = any ($5::text[])
  union all
  select * from by_root
)
select a.period, a.grouping,
       to_jsonb(a) - 'period' - 'grouping'
         || jsonb_build_object('group_label', analytics.group_label(a.grouping, a.group_key))
         as stats
from segments a
order by a.grouping, a.period, a.group_key;
