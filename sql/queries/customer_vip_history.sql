-- vip tier periods of each customer (dataloader batch $1), oldest first.
select v.* from public.support_vip_tracking v
where v.customer_id = any($1::uuid[])
order by v.customer_id, v.effective_from;
