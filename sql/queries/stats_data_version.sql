-- statistics cache: the data version, the newest change-log sequence number (moves on every
-- insert, update and delete of tickets, interactions, queue metrics and alerts).
select analytics.data_version() as version;
