-- Jobs name what they are about (a case), so that a case whose deadline moves or stops drops its
-- pending chasing in one statement instead of leaving stale jobs to wake up and do nothing.
alter table jobs add column subject bigint;
create index jobs_subject on jobs (subject) where state = 'pending';
