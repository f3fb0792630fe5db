-- training records of each agent (dataloader batch $1), newest assignment first.
select r.* from public.support_training_records r
where r.agent_id = any($1::uuid[])
order by r.agent_id, r.assigned_at desc, r.id desc;
