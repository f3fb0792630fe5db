-- statistics tests: insert a copy of ticket $1 as a new ticket (next id, status new, no
-- response or resolution yet, created now), returning its id. run inside a rolled-back
-- transaction.
insert into public.support_tickets
select (jsonb_populate_record(null::public.support_tickets,
          to_jsonb(t) || jsonb_build_object(
            'id', (select max(x.id) + 1 from public.support_tickets x), 'status', 'new',
            'created_at', now(), 'updated_at', now(), 'first_response_at', null,
            'first_resolved_at', null, 'resolved_at', null, 'closed_at', null,
            'reopen_count', 0))).*
from public.support_tickets t
where t.id = $1
returning id;
