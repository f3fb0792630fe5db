-- support summary of each customer in $1 over tickets created in [$2, $3) that the caller may
-- see (dataloader batch): volume, open, first response, satisfaction, sla breaches, last contact.
select
  c.id as customer_id,
  count(t.id)::int as tickets,
  count(t.id) filter (where t.resolved_at is null)::int as open,
  count(t.id) filter (where t.is_white_glove)::int as white_glove,
  percentile_cont(0.5) within group (
    order by extract(epoch from t.first_response_at - t.created_at) / 60.0
  ) filter (where t.first_response_at is not null) as frt_median_minutes,
  avg(s.csat_rating)::float8 as csat_mean,
  count(s.csat_rating)::int as csat_n,
  (select count(*) from public.support_sla_compliance x
    join public.support_tickets tt on tt.id = x.ticket_id
    where tt.customer_id = c.id and tt.created_at >= $2 and tt.created_at < $3
      and (x.status = 'breached' or (x.status = 'pending' and x.due_at < now())))::int
    as sla_breaches,
  max(t.created_at) as last_contact_at
from unnest($1::uuid[]) as c (id)
left join public.support_tickets t
  on t.customer_id = c.id and t.created_at >= $2 and t.created_at < $3
left join public.support_feedback_surveys s on s.ticket_id = t.id
group by c.id;
