-- test support (insights accuracy): remove the hand-made predictions again.
delete from public.support_predictions where model = 'hand';
