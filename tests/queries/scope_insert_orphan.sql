-- scope sync tests: an interaction of ticket $1 (which does not exist).
insert into public.support_interactions (ticket_id, author_type, channel, is_public, created_at)
values ($1, 'customer', 'email', true, now());
