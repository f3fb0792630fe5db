-- realtime hub: the next change rows in seq order, above the watermark $1, plus rows of the
-- transactions $2 that were running when the hub started and hold seqs up to $4 (the watermark
-- at start; their later rows come through the first branch), at most $3 rows, each with the
-- snapshot of this one statement (the hub's gap tracking needs the rows and the list of running
-- transactions from the same snapshot). no rows: one row whose change columns are null.
with snap as materialized (
  select pg_catalog.pg_current_snapshot()::text as snapshot
),
changes as (
  select c.seq, c.table_name, c.op, c.row_id, c.ticket_id, c.team_id, c.agent_id,
         c.old_team_id, c.old_agent_id, c.old_row, c.new_row, c.created_at
  from (
    select l.* from public.support_change_log l where l.seq > $1::bigint
    union all
    select l.* from public.support_change_log l
    where l.xact_id = any($2::bigint[]) and l.seq <= $4::bigint
  ) c
  order by c.seq
  limit $3::int
)
select s.snapshot, c.*
from snap s
left join changes c on true
order by c.seq;
