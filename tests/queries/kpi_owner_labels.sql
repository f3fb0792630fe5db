-- kpi tests: names of teams, root categories and sla policies by key.
select 'team' as kind, t.id::text as key, t.name as label from public.teams t
union all
select 'category', c.path, c.name from public.support_categories c where c.depth = 0
union all
select 'policy', p.id::text, p.name from public.support_sla_policies p
order by 1, 2;
