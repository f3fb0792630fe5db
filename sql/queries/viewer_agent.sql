-- the caller's own agent row, if they are an agent or team lead.
select a.* from public.agents a where a.user_id = auth.uid();
