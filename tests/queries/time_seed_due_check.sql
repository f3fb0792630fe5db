-- test support (time tests): the seed generator's stored due times against the sql functions
-- (as the owner, every compliance row of the seeded database).
select count(*) as targets,
       count(*) filter (where p.calendar_id is not null) as business_time_targets,
       count(*) filter (
         where analytics.add_business_minutes(p.calendar_id, t.created_at, c.target_minutes)
               = c.due_at) as same_due,
       count(*) filter (
         where analytics.business_minutes(p.calendar_id, t.created_at, c.due_at)
               = c.target_minutes) as same_minutes
from public.support_sla_compliance c
join public.support_tickets t on t.id = c.ticket_id
join public.support_sla_policies p on p.id = c.sla_policy_id;
