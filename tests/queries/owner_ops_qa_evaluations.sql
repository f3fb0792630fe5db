-- every qa evaluation with its agent, as the owner.
select id, agent_id, evaluated_at, score from public.support_qa_evaluations;
