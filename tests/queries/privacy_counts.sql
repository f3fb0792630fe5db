-- test support: row counts that erasure must not change.
select (select count(*) from public.support_tickets) as tickets,
       (select count(*) from public.support_tickets where customer_id = $1) as customer_tickets,
       (select count(*) from public.support_interactions) as interactions,
       (select count(*) from public.support_feedback_surveys) as surveys,
       (select count(*) from public.support_vip_tracking) as vip_periods,
       (select count(*) from public.customers) as customers;
