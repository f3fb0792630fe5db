-- realtime tests: resolve the open ticket $1 now.
update public.support_tickets
set status = 'solved', resolved_at = now(), first_resolved_at = coalesce(first_resolved_at, now()),
    updated_at = now()
where id = $1 and resolved_at is null;
