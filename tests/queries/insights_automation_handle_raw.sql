-- test support (insights automation): agent interactions (public and internal) of the tickets
-- created in [$1, $2), one row per interaction with its handle seconds, as the database owner.
select i.ticket_id as id, i.handle_seconds::float as handle_seconds
from public.support_interactions i
join public.support_tickets t on t.id = i.ticket_id
where t.created_at >= $1 and t.created_at < $2 and i.author_type = 'agent';
