-- statistics cache test: remove the survey the test inserted (as the owner).
delete from public.support_feedback_surveys where id = $1;
