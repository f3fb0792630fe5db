-- test support (insights automation): the chatbot's containment rate (contained / handled) over
-- the metric days in [$1, $2), as the database owner.
select sum(a.contained)::float / sum(a.contacts_handled) as rate
from public.support_automation_analytics a
where a.automation_type = 'chatbot' and a.metric_date >= $1::date and a.metric_date < $2::date;
