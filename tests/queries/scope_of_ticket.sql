-- scope sync tests: the denormalised scope of ticket $1's rows, per table, with row counts.
select 'interactions' as source, ticket_team_id, ticket_agent_id, count(*) as n
from public.support_interactions where ticket_id = $1 group by 1, 2, 3
union all
select 'sla', ticket_team_id, ticket_agent_id, count(*)
from public.support_sla_compliance where ticket_id = $1 group by 1, 2, 3
union all
select 'surveys', ticket_team_id, ticket_agent_id, count(*)
from public.support_feedback_surveys where ticket_id = $1 group by 1, 2, 3
order by 1;
