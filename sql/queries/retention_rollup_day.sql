-- retention: add one day's interactions ($2, of month $1) to the month's rollup (a short step
-- each: a month of interactions is read in day-sized statements).
insert into public.interaction_monthly_rollups as r
  (month, channel, author_type, interactions, handle_seconds, sentiment_n, sentiment_sum,
   sentiment_sum_sq)
select $1::date, i.channel, i.author_type, count(*), coalesce(sum(i.handle_seconds), 0),
       count(i.sentiment_score), coalesce(sum(i.sentiment_score), 0),
       coalesce(sum(i.sentiment_score * i.sentiment_score), 0)
from public.support_interactions i
where i.created_at >= $2::timestamptz and i.created_at < $2::timestamptz + interval '1 day'
group by i.channel, i.author_type
on conflict (month, channel, author_type) do update
set interactions = r.interactions + excluded.interactions,
    handle_seconds = r.handle_seconds + excluded.handle_seconds,
    sentiment_n = r.sentiment_n + excluded.sentiment_n,
    sentiment_sum = r.sentiment_sum + excluded.sentiment_sum,
    sentiment_sum_sq = r.sentiment_sum_sq + excluded.sentiment_sum_sq,
    rolled_up_at = pg_catalog.now();
