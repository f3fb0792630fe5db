-- interaction ids of some tickets (as the owner).
select ticket_id, id from public.support_interactions where ticket_id = any($1::bigint[]);
