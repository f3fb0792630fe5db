-- the latest $2 interactions of each ticket (dataloader batch), newest first, with the message
-- text where row level security lets the caller read it (body_visible false otherwise).
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
