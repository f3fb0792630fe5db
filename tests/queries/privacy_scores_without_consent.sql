-- test support: churn or satisfaction scores of customers who object to profiling (none).
select count(*) from public.support_predictions p
join public.customers c on c.id = p.customer_id
where p.prediction_type in ('churn_risk', 'csat') and not c.consent_analytics;
