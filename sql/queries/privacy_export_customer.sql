-- subject access: every row about one customer, per table (app.export_customer checks the
-- caller's role and audits the export).
select app.export_customer($1::uuid);
