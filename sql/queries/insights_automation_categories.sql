-- automation opportunities: tickets created in [$1, $2) per category (leaf path) the caller may
-- see: count, median and mean agent handle seconds per ticket (public and internal agent work),
-- and how many were resolved with at most one agent reply and no reopening (simple contacts).
with per_ticket as (
  select t.id, c.path, t.agent_reply_count, t.reopen_count, t.resolved_at,
         (select coalesce(sum(i.handle_seconds), 0) from public.support_interactions i
          where i.ticket_id = t.id and i.author_type = 'agent') as handle_seconds
  from public.support_tickets t
  join public.support_categories c on c.id = t.category_id
  where t.created_at >= $1::timestamptz and t.created_at < $2::timestamptz
)
select path,
       count(*)::integer as tickets,
       percentile_cont(0.5) within group (order by handle_seconds)::double precision
         as median_handle_seconds,
       avg(handle_seconds)::double precision as mean_handle_seconds,
       count(*) filter (where resolved_at is not null and agent_reply_count <= 1
                        and reopen_count = 0)::integer as simple_resolved
from per_ticket
group by path
order by path;
