-- test fixture: predictions of every type made by model 'test-ops' from $1 on (daily volume
-- and csat for 7 days, staffing for 2, churn risk for 3 customers plus an organisation-level
-- rate; customers who consent to profiling, see app.drop_unconsented_scores). as the owner.
insert into public.support_predictions (prediction_type, target_start, target_end, scope,
  customer_id, predicted_value, lower_80, upper_80, lower_95, upper_95, model)
select p.kind, $1::timestamptz + p.day * interval '1 day',
       $1::timestamptz + (p.day + 1) * interval '1 day', 'all', null,
       p.v, p.v - p.step, p.v + p.step, p.v - 2 * p.step, p.v + 2 * p.step, 'test-ops'
from (select k.kind, k.base + d.day * k.step as v, k.step, d.day
      from (values ('volume', 400.5, 7, 10.0),
                   ('csat', 4.05, 7, 0.05),
                   ('staffing', 30.0, 2, 1.0)) as k (kind, base, days, step)
      cross join lateral generate_series(0, k.days - 1) as d (day)) p
union all
select 'churn_risk', $1::timestamptz, $1::timestamptz + interval '90 days',
       case when c.id is null then 'all' else 'customer' end, c.id,
       0.1 + 0.2 * c.n, null, null, null, null, 'test-ops'
from (select x.id, row_number() over (order by x.id) as n
      from (select cu.id from public.customers cu where cu.consent_analytics order by cu.id limit 3) x
      union all select null, 0) c;
