-- kpi tests: every public agent reply (bots, system events and internal notes excluded).
select i.ticket_id, i.created_at
from public.support_interactions i
where i.author_type = 'agent' and i.is_public
order by i.ticket_id, i.created_at;
