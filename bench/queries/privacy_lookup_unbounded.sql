-- privacy benchmark: the latest $2 interactions of each ticket as they were read before
-- migration 20261203003100 (no bound on created_at: every monthly partition is probed), the
-- reference of the partition-lookup benchmark.
select i.*, b.body, (b.interaction_id is not null) as body_visible
from unnest($1::bigint[]) as wanted (ticket_id)
cross join lateral (
  select x.*
  from public.support_interactions x
  where x.ticket_id = wanted.ticket_id
  order by x.created_at desc, x.id desc
  limit $2
) i
left join public.support_interaction_bodies b on b.interaction_id = i.id;
