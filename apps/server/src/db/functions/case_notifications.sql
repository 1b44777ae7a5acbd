-- The residents' and staff's notifications of a case's steps, written in the step's own
-- transaction (the outbox): the reporter (a resident or a caller who gave a phone) and everyone
-- who said "me too" at received, assigned, done-awaiting-confirmation and closed (or not
-- accepted, or merged); the department at a new dispatch; the grid at a fix to verify.
CREATE OR REPLACE FUNCTION public.case_notifications()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
begin
  if tg_op = 'INSERT' then
    insert into notifications (channel, recipient, template, payload, case_id)
    select 'sms', n.reporter_phone, 'resident.received', jsonb_build_object('number', n.number, 'status', n.status), n.id
    from new_rows n
    where n.reporter_phone is not null and n.source in ('resident', 'hotline')
      and not exists (select 1 from notification_opt_outs o where o.recipient = n.reporter_phone);
    return null;
  end if;
  with changed as (
    select n.id, n.number, n.status, n.department, n.grid_code, n.community_code, n.deadline, n.source,
      n.reporter_phone, n.duplicate_of,
      case n.status
        when 'dispatched' then 'assigned'
        when 'verified' then 'awaiting_confirmation'
        when 'closed' then 'closed'
        when 'cancelled' then 'not_accepted'
        when 'merged' then 'merged'
      end as kind
    from new_rows n join old_rows o on o.id = n.id
    where o.status is distinct from n.status
  ), residents as (
    select c.id, c.number, c.status, c.department, c.duplicate_of, c.kind, c.reporter_phone as phone
    from changed c
    where c.kind is not null and c.reporter_phone is not null and c.source in ('resident', 'hotline')
    union
    select c.id, c.number, c.status, c.department, c.duplicate_of, c.kind, f.phone
    from changed c join case_followers f on f.case_id = c.id
    where c.kind is not null and f.phone is not null
  )
  insert into notifications (channel, recipient, template, payload, case_id)
  select 'sms', r.phone, 'resident.' || r.kind,
    jsonb_build_object('number', r.number, 'status', r.status, 'department', r.department,
      'mergedInto', (select m.number from cases m where m.id = r.duplicate_of)),
    r.id
  from residents r
  where not exists (select 1 from notification_opt_outs o where o.recipient = r.phone)
  union all
  select 'inapp', 'dept:' || c.department, 'department.dispatched', jsonb_build_object('number', c.number, 'deadline', c.deadline), c.id
  from changed c where c.status = 'dispatched' and c.department is not null
  union all
  select 'inapp', 'grid:' || coalesce(c.grid_code, c.community_code), 'grid.verify', jsonb_build_object('number', c.number), c.id
  from changed c where c.status = 'handled';
  return null;
end $function$;

CREATE OR REPLACE TRIGGER case_notifications_insert AFTER INSERT ON public.cases REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION case_notifications();

CREATE OR REPLACE TRIGGER case_notifications_update AFTER UPDATE ON public.cases REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION case_notifications();
