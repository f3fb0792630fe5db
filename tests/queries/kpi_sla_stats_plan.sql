-- the plan of the sla kpi's function over one day (as the owner), to check that it and the
-- analytics.sla_outcomes it reads are inlined into the statement.
explain (format json)
select * from analytics.sla_stats('2026-11-10 00:00+00', '2026-11-11 00:00+00');
