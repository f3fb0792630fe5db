-- tests: which of the notes $1 are still stored, and the data version.
select array(select s.seq from analytics.stats_source_changes s
             where s.seq = any($1::bigint[]) order by s.seq) as kept,
       analytics.data_version() as version;
