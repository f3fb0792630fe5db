-- realtime tests: delete ticket $1 (its conversation, surveys and sla rows go with it).
delete from public.support_tickets where id = $1;
