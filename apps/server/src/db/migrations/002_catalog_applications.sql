-- Service catalogue (versioned) and applications (辦件) with their append-only action log.

create table service_versions (
  id             uuid primary key,
  code           text not null,
  version        integer not null,
  region_code    char(6) not null references regions (code),
  department_id  uuid not null references departments (id),
  content        jsonb not null,
  content_hash   text not null,
  source         text not null check (source in ('file', 'console')),
  status         text not null check (status in ('draft', 'published', 'superseded')),
  created_by     uuid references accounts (id),
  created_at     timestamptz not null,
  published_at   timestamptz,
  unique (code, version)
);

-- The catalogue as residents see it: one row per service, pointing at its published version.
create table services (
  code             text primary key,
  region_code      char(6) not null references regions (code),
  department_id    uuid not null references departments (id),
  version_id       uuid not null references service_versions (id),
  name             text not null,
  search_text      text not null,
  life_events      text[] not null default '{}',
  applicant_kinds  text[] not null default '{}'
);
create index services_region_idx on services (region_code);

create table applications (
  id                 uuid primary key,
  number             text not null unique,
  service_code       text not null references services (code),
  service_version_id uuid not null references service_versions (id),
  applicant_id       uuid not null references accounts (id),
  region_code        char(6) not null references regions (code),
  department_id      uuid not null references departments (id),
  classification     text not null default 'internal',
  form               jsonb not null default '{}',
  -- Derived from the action log on every action (the log is the truth; these serve queries).
  status             text not null,
  step_index         integer not null default 0,
  holder_role        text,
  claimed_by         uuid references accounts (id),
  first_contact_id   uuid references accounts (id),
  accepted_on        date,
  due_on             date,
  -- The day the case reaches 80 % of its limit (预警), moved with the due date by pauses.
  warn_on            date,
  paused_since       date,
  paused_days        integer not null default 0,
  last_action_seq    integer not null default 0,
  channel            text not null default 'pc',
  created_at         timestamptz not null,
  submitted_at       timestamptz,
  updated_at         timestamptz not null
);
create index applications_applicant_idx on applications (applicant_id, updated_at desc);
create index applications_queue_idx on applications (department_id, status, updated_at desc);

create table application_actions (
  application_id   uuid not null references applications (id),
  seq              integer not null,
  type             text not null,
  actor_id         uuid not null references accounts (id),
  actor_role       text not null,
  channel          text not null,
  place            text,
  at               timestamptz not null,
  payload          jsonb not null default '{}',
  idempotency_key  text,
  primary key (application_id, seq)
);
create unique index application_actions_idempotency_idx
  on application_actions (application_id, actor_id, idempotency_key) where idempotency_key is not null;

-- The answer given to an idempotent request, returned again when its key repeats.
create table idempotent_answers (
  actor_id    uuid not null references accounts (id),
  key         text not null,
  scope       text not null,
  status      integer not null,
  body        jsonb not null,
  created_at  timestamptz not null,
  primary key (actor_id, key)
);

create table files (
  sha256        text primary key,
  content_type  text not null,
  size          integer not null,
  created_at    timestamptz not null
);

create table application_materials (
  id               uuid primary key,
  application_id   uuid not null references applications (id),
  material_code    text not null,
  file_sha256      text not null references files (sha256),
  file_name        text not null,
  content_type     text not null,
  size             integer not null,
  uploaded_by      uuid not null references accounts (id),
  uploaded_at      timestamptz not null,
  removed_at       timestamptz
);
create index application_materials_app_idx on application_materials (application_id);

create table notifications (
  id              uuid primary key,
  account_id      uuid not null references accounts (id),
  application_id  uuid references applications (id),
  kind            text not null,
  title           text not null,
  body            text not null,
  created_at      timestamptz not null,
  read_at         timestamptz
);
create index notifications_account_idx on notifications (account_id, created_at desc);

-- What the local SMS/email adapters "sent": administrators read it in the console.
create table message_outbox (
  id          bigserial primary key,
  channel     text not null check (channel in ('sms', 'email')),
  recipient   text not null,
  subject     text,
  body        text not null,
  account_id  uuid references accounts (id),
  created_at  timestamptz not null
);

-- Each deciding official's signing key; the private half is sealed with the node's key.
create table signing_keys (
  account_id   uuid primary key references accounts (id),
  algorithm    text not null,
  public_key   text not null,
  sealed_private_key text not null,
  created_at   timestamptz not null
);

create sequence application_number_seq;

alter table accounts add column email text;
