-- answered surveys sent in [$1, $2) with their ticket's factors, under the caller's rights
-- (satisfaction drivers; satisfaction-risk training). see analytics.insight_survey_features.
select f.*
from analytics.insight_survey_features($1::timestamptz, $2::timestamptz) f;
