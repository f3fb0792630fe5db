-- retention: delete up to $1 archived message bodies of a detached month of interactions.
with doomed as (
  select b.interaction_id from public.support_interaction_bodies b
  join partitions.{part} i on i.id = b.interaction_id
  limit $1
), gone as (
  delete from public.support_interaction_bodies b using doomed d
  where b.interaction_id = d.interaction_id
  returning 1)
select count(*)::integer from gone;
