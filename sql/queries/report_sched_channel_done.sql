-- scheduler: channel $2 of run $1 delivered (so a retry never sends it again), if process $3
-- still holds the run's lease.
update public.report_deliveries d
set delivered_to = array_append(d.delivered_to, $2::text)
where d.id = $1::bigint and d.lease_owner = $3::text and not ($2::text = any (d.delivered_to))
returning d.id;
