-- Materials fetched from shared data instead of uploaded (材料免提交): with the applicant's consent the
-- platform queries the providing department through the exchange gateway at application time and keeps
-- the (masked) answer on the case, so staff see verified data with its source and time. The query itself
-- is the data_accesses row (and its ledger entry) this row points to.
create table application_data_materials (
  id                        uuid primary key,
  application_id            uuid not null references applications (id),
  material_code             text not null,
  access_id                 uuid not null references data_accesses (id),
  resource_code             text not null,
  resource_name             text not null,
  provider_department_name  text not null,
  -- [{name, label}] in the order the gateway answered them
  fields                    jsonb not null,
  -- the records as the gateway answered them (granted fields only, masked as the resource says)
  records                   jsonb not null,
  consent_at                timestamptz not null,
  fetched_by                uuid not null references accounts (id),
  fetched_at                timestamptz not null,
  -- a later fetch of the same material replaces this one
  replaced_at               timestamptz
);
create index application_data_materials_application_idx on application_data_materials (application_id);
