-- alerting: csat ratings of surveys answered in the recent window [$1, $2) and in the baseline
-- [$3, $1), as count / sum / sum of squares, for the whole organisation (scope 'all') and for
-- each team (scope = team id). as the gateway (all teams).
select case when grouping(t.team_id) = 1 then 'all' else coalesce(t.team_id::text, 'none') end
         as scope,
       t.team_id,
       case when grouping(t.team_id) = 0 then max(tm.name) end as team_name,
       count(*) filter (where f.responded_at >= $1::timestamptz)::int as recent_n,
       coalesce(sum(f.csat_rating) filter (where f.responded_at >= $1::timestamptz), 0)::float8
         as recent_total,
       coalesce(sum(f.csat_rating * f.csat_rating)
                  filter (where f.responded_at >= $1::timestamptz), 0)::float8 as recent_sq,
       count(*) filter (where f.responded_at < $1::timestamptz)::int as base_n,
       coalesce(sum(f.csat_rating) filter (where f.responded_at < $1::timestamptz), 0)::float8
         as base_total,
       coalesce(sum(f.csat_rating * f.csat_rating)
                  filter (where f.responded_at < $1::timestamptz), 0)::float8 as base_sq
from public.support_feedback_surveys f
join public.support_tickets t on t.id = f.ticket_id
left join public.teams tm on tm.id = t.team_id
where f.responded_at >= $3::timestamptz
  and f.responded_at < $2::timestamptz
  and f.csat_rating is not null
group by grouping sets ((t.team_id), ())
order by scope;
