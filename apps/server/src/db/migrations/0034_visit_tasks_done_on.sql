-- The monthly evaluation at a district's scale (issue 22): "visits on schedule" counts a month's
-- scheduled visits (household × due date) and those done by their due date. Over 越秀's quarter
-- (4.1M task rows, 1.4M in one month) the join from each task to its visit was 1.4M index probes
-- and most of a 12 s query. The task now carries the day its visit was made (Beijing date, set
-- with `visit_id`), and an index on the due date reads one month's tasks, not the whole history.
alter table visit_tasks add column done_on date;

update visit_tasks t set done_on = (v.visited_at at time zone 'Asia/Shanghai')::date
from visits v where v.id = t.visit_id;

alter table visit_tasks add constraint visit_tasks_done check (done_on is null or visit_id is not null);

create index visit_tasks_due on visit_tasks (due_on, grid_code);
