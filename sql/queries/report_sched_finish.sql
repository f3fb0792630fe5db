-- scheduler: end process $7's attempt at run $1 with status $2 (sent, retrying, failed),
-- error $3 (appended to the history as $4), next attempt at $5 and the file size $6.
update public.report_deliveries d
set status = $2::text,
    last_error = $3::text,
    errors = case when $4::jsonb is null then d.errors else d.errors || $4::jsonb end,
    next_attempt_at = coalesce($5::timestamptz, d.next_attempt_at),
    bytes = coalesce($6::integer, d.bytes),
    finished_at = case when $2::text in ('sent', 'failed') then now() end,
    lease_owner = null,
    lease_until = null
where d.id = $1::bigint and d.lease_owner = $7::text
returning d.id;
