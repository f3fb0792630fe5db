-- retention: keep a month's interaction sums before the month is archived.
select app.rollup_interactions($1::date);
