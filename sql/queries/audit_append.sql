-- the audit writer's batch: a json array of events appended in one statement (app.audit_append,
-- security definer: the log grants no insert privilege to anyone).
select app.audit_append($1::jsonb);
