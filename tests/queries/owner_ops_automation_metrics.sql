-- every automation row of the days $1..$2 (both included), as the owner.
select * from public.support_automation_analytics
where metric_date between $1 and $2
order by metric_date, automation_type, channel;
