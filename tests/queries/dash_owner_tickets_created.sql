-- tickets created in [$1, $2) with their creation time and team (as the owner).
select t.id, t.created_at, t.team_id from public.support_tickets t
where t.created_at >= $1 and t.created_at < $2;
