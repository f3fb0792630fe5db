-- benchmark support (bench.statistics): the agent row of a user ($1 as text), returned as `id`.
select a.id from public.agents a where a.user_id = $1::uuid;
