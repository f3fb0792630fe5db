-- supabase source tests: one change log row (a queue metric change), committed; returns its seq.
insert into public.support_change_log (table_name, op, row_id, new_row)
values ('support_queue_metrics', 'INSERT', $1::bigint, jsonb_build_object('id', $1::bigint))
returning seq;
