-- Cross-province cases (跨省通办): on each node that takes part, one row per case — the origin node
-- where the applicant follows it, and the competent node where it is decided (as an application).
create table federated_cases (
  id                uuid not null,
  -- origin: the node the applicant (or the window) handed the case over from; competent: the deciding node.
  role              text not null check (role in ('origin', 'competent')),
  mode              text not null check (mode in ('online', 'remote_acceptance', 'joint')),
  number            text not null,
  origin_region     char(6) not null,
  competent_region  char(6) not null,
  service_code      text not null,
  service_name      text not null,
  applicant_id      uuid not null references accounts (id),
  -- At the competent node, the application the case became (its id is the case's id).
  application_id    uuid references applications (id),
  competent_number  text,
  status            text not null,
  step              text,
  -- The competent node's actions as it reported them: [{seq, type, status, step, at, reason?}]
  timeline          jsonb not null default '[]',
  last_seq          integer not null default 0,
  refusal           jsonb,
  created_at        timestamptz not null,
  updated_at        timestamptz not null,
  primary key (id, role)
);
create index federated_cases_applicant_idx on federated_cases (applicant_id, updated_at desc);
