-- test support: the tables app.subject_tables() finds rows about a customer in.
select table_name, predicate from app.subject_tables() order by table_name;
