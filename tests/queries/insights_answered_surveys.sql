-- test support (insights accuracy): tickets whose survey was answered by $1 and whose customer
-- may be profiled (scores of others are not stored), the first 150 rated 1-2 and the first 250
-- rated 3-5 by ticket id, with whether the rating was 1 or 2, as the database owner.
select id, low
from (
  select f.ticket_id as id, f.csat_rating <= 2 as low,
         row_number() over (partition by f.csat_rating <= 2 order by f.ticket_id) as k
  from public.support_feedback_surveys f
  join public.customers c on c.id = f.customer_id
  where f.csat_rating is not null and f.responded_at <= $1
    and c.consent_analytics and c.erased_at is null
) s
where (low and k <= 150) or (not low and k <= 250)
order by id;
