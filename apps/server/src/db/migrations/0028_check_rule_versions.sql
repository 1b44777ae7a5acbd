-- Every version of a 共享校核 rule with who changed it and why (the seeded rules are version 1).
create table check_rule_versions (
  rule_code text not null references check_rules (code),
  version integer not null,
  definition jsonb not null,
  active boolean not null,
  reason text not null,
  changed_by text not null,
  changed_at timestamptz not null default now(),
  primary key (rule_code, version)
);

insert into check_rule_versions (rule_code, version, definition, active, reason, changed_by, changed_at)
select code, version, definition, active, 'seeded', updated_by, updated_at from check_rules;
