-- test support: injected incidents (ground truth).
select i.kind, i.starts_at, i.ends_at, i.scope, i.magnitude from public.support_incidents i order by i.id;
