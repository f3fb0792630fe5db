-- retention: the message bodies of a detached month of interactions, for its archive file.
select b.* from public.support_interaction_bodies b
join partitions.{part} i on i.id = b.interaction_id
order by b.interaction_id;
