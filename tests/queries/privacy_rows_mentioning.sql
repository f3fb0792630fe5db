-- test support: rows of a table of schema public whose json form mentions the customer's id, or
-- references one of their tickets or interactions in a column of that name.
select to_jsonb(t) as row
from public."{table}" t
where to_jsonb(t)::text like '%' || $1::text || '%'
   or (to_jsonb(t) ->> 'ticket_id')::bigint = any($2::bigint[])
   or (to_jsonb(t) ->> 'interaction_id')::bigint = any($3::bigint[]);
