-- test support: a fresh database for one test session (name chosen by the test harness).
create database {dbname};
