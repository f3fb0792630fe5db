-- the first customer message of up to $3 tickets per category created in [$1, $2) (the latest
-- ones), with its text where row level security lets the caller read it (body_visible false
-- otherwise: analysts get counts only).
select c.path, m.ticket_id, b.body, (b.interaction_id is not null) as body_visible
from public.support_categories c
cross join lateral (
  select t.id as ticket_id,
         (select i.id from public.support_interactions i
          where i.ticket_id = t.id and i.author_type = 'customer'
          order by i.created_at, i.id limit 1) as interaction_id
  from public.support_tickets t
  where t.category_id = c.id and t.created_at >= $1::timestamptz and t.created_at < $2::timestamptz
  order by t.created_at desc
  limit $3
) m
left join public.support_interaction_bodies b on b.interaction_id = m.interaction_id
where m.interaction_id is not null;
