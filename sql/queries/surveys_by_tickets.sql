-- the survey of each ticket (dataloader batch).
select s.* from public.support_feedback_surveys s where s.ticket_id = any($1::bigint[]);
