-- sizes of the reference tables (as the owner).
select (select count(*) from public.teams) as teams,
       (select count(*) from public.support_categories) as categories,
       (select count(*) from public.support_sla_policies) as sla_policies,
       (select count(*) from public.agents) as agents;
