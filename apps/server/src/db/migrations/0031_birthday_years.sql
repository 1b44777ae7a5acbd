-- Birthdays by year too: the night's proactive run looks for the persons who turned 60 (80) in the
-- last days — born on those month-days *sixty years ago*. The month-day index alone found everyone
-- born on those days in any year (≈ 1.5M rows on Guangzhou's 16.8M) and filtered the year after;
-- with the birth date as its second column the same index finds the ≈ 20,000 directly, and still
-- serves the population statistics' birthday roll (month-day only) as before. Replacing the index
-- rather than adding one keeps the loader's rebuild and every person's write the same.
drop index persons_birthday;
create index persons_birthday on persons ((extract(month from birth_date)::int * 100 + extract(day from birth_date)::int), birth_date)
  where status = 'active';

-- Residence permits about to expire (the night's 居住证签注 reminders), by their expiry date.
create index shared_records_permit_expiry on shared_records ((record ->> 'permit_expires_on'))
  where dataset_code = 'migrant.permits' and not removed;
