-- every training record with its agent and status, as the owner.
select id, agent_id, assigned_at, status from public.support_training_records;
