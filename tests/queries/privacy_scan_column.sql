-- test support: rows of one column containing any of the given strings (case-insensitive).
select count(*) from "{schema}"."{table}" where "{column}"::text ilike any($1::text[]);
