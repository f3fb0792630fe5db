-- csat answers of surveys sent in [$1, $2) with their send time (as the owner).
select s.sent_at, s.csat_rating from public.support_feedback_surveys s
where s.sent_at >= $1 and s.sent_at < $2 and s.csat_rating is not null;
