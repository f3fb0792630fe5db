-- pause ($2 = true) or resume ($2 = false) the caller's schedule $1 (rls: own rows only);
-- resuming plans runs from now on, so the paused time is not caught up.
update public.report_schedules s
set paused = $2::boolean,
    planned_until = case when s.paused and not $2::boolean then now() else s.planned_until end
where s.id = $1::uuid
returning *;
