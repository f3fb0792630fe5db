-- statistics cache test: a new answered survey (csat 1) of a ticket of team $1 created in
-- [$2, $3 - 1 day) that has none yet, of a customer who consents to surveys (as the owner).
insert into public.support_feedback_surveys
  (ticket_id, customer_id, sent_at, responded_at, csat_rating)
select t.id, t.customer_id, t.created_at + interval '1 hour', t.created_at + interval '2 hours', 1
from public.support_tickets t
join public.customers c on c.id = t.customer_id
where t.team_id = $1
  and t.created_at >= $2::timestamptz and t.created_at < $3::timestamptz - interval '1 day'
  and c.consent_surveys and c.erased_at is null
  and not exists (select 1 from public.support_feedback_surveys f where f.ticket_id = t.id)
order by t.id
limit 1
returning id;
