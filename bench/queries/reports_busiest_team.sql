-- bench: the team with the most tickets (the weekly team report's worst case).
select t.team_id from public.support_tickets t
where t.team_id is not null
group by t.team_id
order by count(*) desc
limit 1;
