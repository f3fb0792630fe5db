-- test support: catalog columns that may carry text written by or about customers.
select table_name || '.' || column_name as col
from app.personal_data_catalog
where data_class = 'free_text'
order by 1;
