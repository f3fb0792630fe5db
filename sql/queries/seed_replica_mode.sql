-- seeding: skip foreign-key triggers during the bulk load (superuser only; the data is built
-- valid and the seeder's tests verify every foreign key by query).
set local session_replication_role = replica;
