-- Foreign residents have no ethnicity (民族 is a Chinese citizen's attribute): the column takes
-- null for them and only for them. Their nationality is in their permanent-residence ID (2023
-- format: 9, the issuing province, the ISO 3166 numeric nationality, the birth date).
alter table persons alter column ethnicity drop not null;
update persons set ethnicity = null where population_type = 'foreign';
alter table persons add constraint persons_ethnicity_citizens
  check ((ethnicity is null) = (population_type = 'foreign'));
