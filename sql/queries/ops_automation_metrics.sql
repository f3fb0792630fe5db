-- daily automation performance for the days $1..$2 (both included), optionally of some
-- automation types ($3) and channels ($4) (null = all); by day, then type, then channel.
select a.id, a.metric_date, a.automation_type, a.channel, a.contacts_handled, a.contained,
       a.escalated, a.avg_confidence, a.csat_avg, a.cost_saved
from public.support_automation_analytics a
where a.metric_date between $1::date and $2::date
  and ($3::text[] is null or a.automation_type = any($3::text[]))
  and ($4::text[] is null or a.channel = any($4::text[]))
order by a.metric_date, a.automation_type, a.channel;
