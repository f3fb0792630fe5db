-- interactions per month of the window [$1, $2) (whole months), archived months from rollups.
select month, from_archive, interactions, handle_seconds, sentiment_n, sentiment_sum
from app.interaction_monthly_summary($1, $2);
