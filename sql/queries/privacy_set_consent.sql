-- record a customer's consent (null = unchanged); admin and dpo; audited by trigger.
select consent_marketing, consent_analytics, consent_surveys
from app.set_consent($1::uuid, $2::boolean, $3::boolean, $4::boolean);
