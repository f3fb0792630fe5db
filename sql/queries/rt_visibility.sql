-- realtime hub: which viewers may see each change of a batch, for all viewers in one statement,
-- decided by the functions the row level security policies call (app.ticket_visible_to for
-- tickets and their interactions, app.alert_visible_to for alerts, app.is_staff for queue
-- metrics), and each change's payload read once, as the hub.
--   viewers  $1 class id, $2 app role, $3 agent id, $4 team id (one entry per distinct identity)
--   changes  $5 seq, $6 table, $7 op, $8 ticket id, $9 team id, $10 agent id, $11 old team id,
--            $12 old agent id, $13 row after the change (jsonb)
-- visible_after: viewers who may see the row after the change (nobody, for a delete);
-- visible_before: viewers who could see it before the change (updates and deletes).
-- a ticket change carries the ticket as the change left it; an interaction is judged, and
-- carries its ticket, as the ticket is now (no ticket: nobody sees it).
with viewers as (
  select v.id, v.app_role, v.agent_id, v.team_id
  from unnest($1::int[], $2::text[], $3::uuid[], $4::uuid[]) as v(id, app_role, agent_id, team_id)
),
changes as (
  select c.*
  from unnest($5::bigint[], $6::text[], $7::text[], $8::bigint[], $9::uuid[], $10::uuid[],
              $11::uuid[], $12::uuid[], $13::jsonb[])
    as c(seq, table_name, op, ticket_id, team_id, agent_id, old_team_id, old_agent_id, new_row)
),
payloads as (
  select c.*,
         case
           when c.table_name = 'support_tickets' and c.op <> 'DELETE'
             then pg_catalog.jsonb_populate_record(null::public.support_tickets, c.new_row)
           when c.table_name = 'support_interactions'
             then (select t from public.support_tickets t where t.id = c.ticket_id)
         end as ticket
  from changes c
)
select
  p.seq,
  p.ticket,
  case when p.table_name = 'support_alerts' and p.op <> 'DELETE'
    then pg_catalog.jsonb_populate_record(null::public.support_alerts, p.new_row)
  end as alert,
  case when p.table_name = 'support_queue_metrics' and p.op <> 'DELETE'
    then pg_catalog.jsonb_populate_record(null::public.support_queue_metrics, p.new_row)
  end as queue_metric,
  array(
    select v.id from viewers v
    where p.op <> 'DELETE'
      and case p.table_name
        when 'support_queue_metrics' then app.is_staff(v.app_role)
        when 'support_alerts'
          then app.alert_visible_to(v.app_role, v.agent_id, v.team_id, p.team_id, p.agent_id)
        when 'support_interactions'
          then (p.ticket).id is not null
               and app.ticket_visible_to(v.app_role, v.agent_id, v.team_id,
                                         (p.ticket).team_id, (p.ticket).assigned_agent_id)
        else app.ticket_visible_to(v.app_role, v.agent_id, v.team_id, p.team_id, p.agent_id)
      end
    order by v.id
  ) as visible_after,
  array(
    select v.id from viewers v
    where p.op <> 'INSERT'
      and case p.table_name
        when 'support_queue_metrics' then app.is_staff(v.app_role)
        when 'support_alerts'
          then app.alert_visible_to(v.app_role, v.agent_id, v.team_id, p.old_team_id,
                                    p.old_agent_id)
        else app.ticket_visible_to(v.app_role, v.agent_id, v.team_id, p.old_team_id,
                                   p.old_agent_id)
      end
    order by v.id
  ) as visible_before
from payloads p
order by p.seq;
