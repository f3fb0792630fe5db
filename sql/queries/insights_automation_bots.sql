-- bots and automations over the days [$1, $2) (utc dates): contacts handled, contained without a
-- human and escalated, per automation type and channel (staff may read these rows).
select a.automation_type, a.channel,
       sum(a.contacts_handled)::bigint as handled,
       sum(a.contained)::bigint as contained,
       sum(a.escalated)::bigint as escalated,
       sum(a.cost_saved)::double precision as cost_saved
from public.support_automation_analytics a
where a.metric_date >= ($1::timestamptz at time zone 'utc')::date
  and a.metric_date < ($2::timestamptz at time zone 'utc')::date
group by 1, 2
order by 1, 2;
