-- test support: the first day of the data set on which some vip tier's tickets (created or
-- resolved that day) come from exactly one customer, with that tier.
with days as (
  select d::timestamptz as day_start from generate_series($1::timestamptz, $2::timestamptz, interval '1 day') d
),
g as (
  select d.day_start, coalesce(t.vip_tier, 'standard') as tier, count(distinct t.customer_id) as customers
  from days d
  join public.support_tickets t
    on (t.created_at >= d.day_start and t.created_at < d.day_start + interval '1 day')
    or (t.resolved_at >= d.day_start and t.resolved_at < d.day_start + interval '1 day')
  group by 1, 2
)
select day_start, tier from g where customers = 1 order by day_start, tier limit 1;
