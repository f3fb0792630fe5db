-- sla targets of each ticket (dataloader batch).
select s.* from public.support_sla_compliance s
where s.ticket_id = any($1::bigint[])
order by s.ticket_id, s.target_type;
