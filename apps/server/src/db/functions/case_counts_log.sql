CREATE OR REPLACE FUNCTION public.case_counts_log()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
begin
  if tg_op = 'INSERT' then
    insert into case_count_dirty (case_id) select id from new_rows;
  elsif tg_op = 'DELETE' then
    insert into case_count_dirty (case_id) select id from old_rows;
  else
    insert into case_count_dirty (case_id)
    select n.id from new_rows n join old_rows o on o.id = n.id
    where n.status <> o.status or n.community_code <> o.community_code or n.catalog_code <> o.catalog_code
      or n.department is distinct from o.department or n.reported_at <> o.reported_at
      or case_count_flags(n) <> case_count_flags(o);
  end if;
  return null;
end $function$;

CREATE OR REPLACE TRIGGER case_counts_delete AFTER DELETE ON public.cases REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION case_counts_log();

CREATE OR REPLACE TRIGGER case_counts_insert AFTER INSERT ON public.cases REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION case_counts_log();

CREATE OR REPLACE TRIGGER case_counts_update AFTER UPDATE ON public.cases REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION case_counts_log();
