-- Enquiries (咨询) and first-contact responsibility (首问负责): a resident or enterprise asks a
-- department a question; the first official who takes it is recorded and answers it to the end.
create sequence enquiry_number_seq;

create table enquiries (
  id               uuid primary key,
  number           text not null unique,
  region_code      char(6) not null references regions (code),
  department_id    uuid not null references departments (id),
  service_code     text references services (code),
  asker_id         uuid not null references accounts (id),
  subject          text not null,
  status           text not null check (status in ('open', 'answered', 'closed')),
  first_contact_id uuid references accounts (id),
  first_contact_at timestamptz,
  created_at       timestamptz not null,
  updated_at       timestamptz not null
);
create index enquiries_asker_idx on enquiries (asker_id, updated_at desc);
create index enquiries_queue_idx on enquiries (department_id, status, updated_at desc);

create table enquiry_messages (
  id          uuid primary key,
  -- Order of writing, when two messages share a timestamp.
  seq         bigint generated always as identity,
  enquiry_id  uuid not null references enquiries (id),
  author_id   uuid not null references accounts (id),
  author_role text not null check (author_role in ('asker', 'staff')),
  body        text not null,
  at          timestamptz not null
);
create index enquiry_messages_enquiry_idx on enquiry_messages (enquiry_id, seq);
