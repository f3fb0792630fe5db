-- deliveries of schedule $1 (rls: the schedule's owner only), newest run first, at most $2.
select d.* from public.report_deliveries d
where d.schedule_id = $1::uuid
order by d.scheduled_for desc, d.id desc
limit $2;
