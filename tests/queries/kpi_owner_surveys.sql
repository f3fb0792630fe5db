-- kpi tests: every satisfaction survey with its scores (null when unanswered).
select f.ticket_id, f.sent_at, f.responded_at, f.csat_rating, f.nps_score, f.ces_score
from public.support_feedback_surveys f
order by f.id;
