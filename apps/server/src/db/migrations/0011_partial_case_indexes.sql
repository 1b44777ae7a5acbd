-- Index only what is looked up: the open queues by department and by deadline hold the cases
-- that have one (a fresh report has neither, so intake writes two index entries fewer), and the
-- photo index holds the steps that cite photos (most steps cite none). The photo lookup states
-- `attachments <> '{}'` and uses `@>`, which the GIN index answers (`= any(…)` it never did).
drop index cases_open_department;
drop index cases_open_deadline;
create index cases_open_department on cases (department) where closed_at is null and department is not null;
create index cases_open_deadline on cases (deadline) where closed_at is null and deadline is not null;

drop index case_steps_attachments;
create index case_steps_attachments on case_steps using gin (attachments) where attachments <> '{}';
