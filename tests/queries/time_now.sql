-- test support (time tests): the transaction's now().
select now();
