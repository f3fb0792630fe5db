-- agents visible to the caller, optionally of teams $1 and statuses $2, by name.
select a.* from public.agents a
where ($1::uuid[] is null or a.team_id = any($1::uuid[]))
  and ($2::text[] is null or a.status = any($2::text[]))
order by a.display_name, a.id;
