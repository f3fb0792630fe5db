-- tickets created in [$1, $2) with their creation time and channel (as the owner).
select t.created_at, t.channel from public.support_tickets t
where t.created_at >= $1 and t.created_at < $2;
