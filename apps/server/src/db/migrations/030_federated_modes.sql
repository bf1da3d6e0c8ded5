-- 异地代收代办 and 多地联办 (issue 6, item 4) on top of 009's federated cases.

-- 异地代收代办: at the origin, the window that received the applicant in person — its department
-- (which delivers the result), the official, the recorded identity and materials checks — and the
-- delivery of the result there.
-- The person received need not hold an account at the receiving node: the case names them by their
-- identifier, and an account with it (now or registered later) follows the case.
alter table federated_cases alter column applicant_id drop not null;
alter table federated_cases add column applicant_identifier text;
create index federated_cases_identifier_idx on federated_cases (applicant_identifier) where applicant_identifier is not null;
alter table federated_cases add column received_by uuid references accounts (id);
alter table federated_cases add column receiving_department_id uuid references departments (id);
alter table federated_cases add column reception jsonb;
alter table federated_cases add column delivery jsonb;

-- 多地联办: the linked steps of one joint case as its coordinating node planned them
-- ([{key, name, regionCode, regionName, serviceCode, status, number}]), kept on every node's copy.
alter table federated_cases add column joint_steps jsonb;
-- A step filed at another node belongs to a joint case: its id here.
alter table federated_cases add column joint_case_id uuid;

-- At the coordinating node: each step of a joint case, where it runs and how far it got.
create table federated_joint_steps (
  joint_case_id   uuid not null,
  position        integer not null,
  key             text not null,
  name            text not null,
  region_code     char(6) not null,
  service_code    text not null,
  -- The step's own case id (the application's id where the step runs).
  step_case_id    uuid not null unique,
  -- The step's application when it runs at this node.
  application_id  uuid references applications (id),
  number          text,
  status          text not null,
  -- The step node's last reported action (its reports may arrive out of order).
  last_seq        integer not null default 0,
  created_at      timestamptz not null,
  updated_at      timestamptz not null,
  primary key (joint_case_id, position)
);
create index federated_joint_steps_application_idx on federated_joint_steps (application_id);
create index federated_cases_department_idx on federated_cases (receiving_department_id, updated_at desc)
  where receiving_department_id is not null;
