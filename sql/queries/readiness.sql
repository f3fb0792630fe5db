-- readiness probe: the database answers.
select 1;
