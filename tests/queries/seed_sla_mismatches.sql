-- test support: sla rows whose status disagrees with the due time, the achievement and $1 (the
-- end of the seeded period); and tickets whose due times differ from their sla rows.
select
  (select count(*) from public.support_sla_compliance s
   where s.status <> case
     when s.achieved_at is not null and s.achieved_at <= s.due_at then 'achieved'
     when s.achieved_at is not null or s.due_at < $1 then 'breached'
     else 'pending' end) as status,
  (select count(*) from public.support_tickets t
   join public.support_sla_compliance s on s.ticket_id = t.id
   where (s.target_type = 'first_response' and s.due_at <> t.first_response_due_at)
      or (s.target_type = 'resolution' and s.due_at <> t.resolution_due_at)) as due,
  (select count(*) from public.support_tickets t
   where (select count(*) from public.support_sla_compliance s where s.ticket_id = t.id) <> 2) as rows;
