-- test support: deletes the predictions of test model $1 (clean-up), as the owner.
delete from public.support_predictions where model = $1;
