-- Government data sharing (政务数据共享): the data-resource catalogue, the department data pools,
-- sharing requests and the grants they yield, the gateway's record of every query, and security events.

create table data_resources (
  id                uuid primary key,
  -- <region code>.<department code>.<name>, e.g. 350100.gongan.household_registration
  code              text not null unique,
  region_code       char(6) not null references regions (code),
  department_id     uuid not null references departments (id),
  name              text not null,
  name_en           text,
  description       text not null,
  -- [{name, label, type, classification, personal, masking, description?, from?}]
  fields            jsonb not null,
  sharing_class     text not null check (sharing_class in ('unconditional', 'conditional', 'none')),
  -- Why a resource is not shared (required for 'none'), or what its sharing rests on.
  legal_basis       jsonb not null default '[]',
  update_frequency  text not null,
  access_method     text not null check (access_method in ('api', 'dataset')),
  key_field         text,
  -- {kind: 'http', url} | {kind: 'table'} | {kind: 'thematic'}
  connector         jsonb not null,
  search_text       text not null,
  created_by        uuid references accounts (id),
  created_at        timestamptz not null,
  updated_at        timestamptz not null
);
create index data_resources_department_idx on data_resources (department_id);
create index data_resources_region_idx on data_resources (region_code);

-- Department data pools (部门数据资源池): records a department keeps on the platform, by key.
create table data_pool_records (
  resource_id  uuid not null references data_resources (id) on delete cascade,
  record_key   text not null,
  data         jsonb not null,
  updated_at   timestamptz not null,
  primary key (resource_id, record_key)
);

create table sharing_requests (
  id                      uuid primary key,
  resource_id             uuid not null references data_resources (id),
  consumer_department_id  uuid not null references departments (id),
  requested_by            uuid not null references accounts (id),
  purpose                 text not null,
  legal_basis             text not null,
  fields                  text[] not null,
  expires_on              date not null,
  status                  text not null check (status in ('pending', 'approved', 'refused')),
  decided_by              uuid references accounts (id),
  decided_at              timestamptz,
  decision_note           text,
  created_at              timestamptz not null
);
create index sharing_requests_resource_idx on sharing_requests (resource_id, created_at desc);
create index sharing_requests_consumer_idx on sharing_requests (consumer_department_id, created_at desc);

create table sharing_grants (
  id                      uuid primary key,
  request_id              uuid unique references sharing_requests (id),
  resource_id             uuid not null references data_resources (id),
  consumer_department_id  uuid not null references departments (id),
  fields                  text[] not null,
  purpose                 text not null,
  legal_basis             text not null,
  expires_at              timestamptz not null,
  rate_limit_per_minute   integer not null check (rate_limit_per_minute > 0),
  granted_by              uuid not null references accounts (id),
  granted_at              timestamptz not null,
  revoked_at              timestamptz,
  revoked_by              uuid references accounts (id),
  revoke_reason           text
);
create index sharing_grants_consumer_idx on sharing_grants (consumer_department_id, resource_id);
create index sharing_grants_resource_idx on sharing_grants (resource_id);

-- One row per query through the gateway, allowed, refused or failed, written in the same transaction
-- as its outbox row. subject_refs are keyed hashes of the ID numbers / credit codes the query touched,
-- so a resident can find the accesses to data about them without the table holding the numbers.
create table data_accesses (
  id                      uuid primary key,
  at                      timestamptz not null,
  actor_id                uuid references accounts (id),
  consumer_department_id  uuid references departments (id),
  resource_id             uuid references data_resources (id),
  resource_code           text not null,
  provider_department_id  uuid references departments (id),
  grant_id                uuid references sharing_grants (id),
  basis                   text not null check (basis in ('grant', 'unconditional', 'own', 'consent', 'none')),
  purpose                 text not null,
  application_id          uuid references applications (id),
  fields                  text[] not null default '{}',
  subject_refs            text[] not null default '{}',
  outcome                 text not null check (outcome in ('allowed', 'refused', 'failed')),
  error_code              text,
  record_count            integer not null default 0,
  answer_hash             text,
  outbox_id               bigint references outbox (id)
);
create index data_accesses_subject_idx on data_accesses using gin (subject_refs);
create index data_accesses_resource_idx on data_accesses (resource_id, at desc);
create index data_accesses_consumer_idx on data_accesses (consumer_department_id, at desc);

-- Security events from every module (denied access, queries beyond a grant, bulk reads …), read by
-- the security officers of the region.
create table security_events (
  id             uuid primary key,
  at             timestamptz not null,
  type           text not null,
  severity       text not null check (severity in ('low', 'medium', 'high')),
  source         text not null,
  account_id     uuid references accounts (id),
  region_code    char(6),
  department_id  uuid references departments (id),
  subject        text,
  details        jsonb not null default '{}'
);
create index security_events_region_idx on security_events (region_code, at desc);
