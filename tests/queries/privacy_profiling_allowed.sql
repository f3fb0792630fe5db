-- test support: the model hooks for one customer.
select app.profiling_allowed($1) as profiling, app.marketing_allowed($1) as marketing;
