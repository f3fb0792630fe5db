-- scope sync tests: move ticket $1's survey to ticket $2 (as the owner).
update public.support_feedback_surveys set ticket_id = $2 where ticket_id = $1;
