-- Grid service items (网格服务事项, the seed's "10 大项 78 小项 社会服务内容": senior citizen cards,
-- family-planning certificates, unemployment registration …): a third kind of catalog entry,
-- coded 'S' + major + sub, that a resident or grid worker asks for and that runs through the same
-- loop to the competent department (case numbers S…).
alter table case_catalog drop constraint case_catalog_code_check;
alter table case_catalog add constraint case_catalog_code_check check (code ~ '^[ECS][0-9]{4}$');
alter table case_catalog drop constraint case_catalog_kind_check;
alter table case_catalog add constraint case_catalog_kind_check check (kind in ('event', 'component', 'service'));
alter table case_catalog add constraint case_catalog_code_kind check (substr(code, 1, 1) = case kind when 'event' then 'E' when 'component' then 'C' else 'S' end);
alter table cases drop constraint cases_kind_check;
alter table cases add constraint cases_kind_check check (kind in ('event', 'component', 'service'));
