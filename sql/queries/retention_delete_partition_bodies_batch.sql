-- retention: delete the archived message bodies of the next $2 interactions (id order, after id
-- $1) of a detached month of interactions; the last id reached (null: done) and how many bodies
-- went. keyset over the partition's id index, probes of the bodies' primary key: each batch
-- costs the same however far the deletion has got.
with ids as (
  select i.id from partitions.{part} i where i.id > $1::bigint order by i.id limit $2
), gone as (
  delete from public.support_interaction_bodies b using ids
  where b.interaction_id = ids.id
  returning 1)
select (select max(ids.id) from ids) as last_id, (select count(*) from gone)::integer as deleted;
