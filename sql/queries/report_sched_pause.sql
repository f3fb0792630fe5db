-- scheduler: pause schedule $1 (its owner lost the rights to run it).
update public.report_schedules s set paused = true where s.id = $1::uuid;
