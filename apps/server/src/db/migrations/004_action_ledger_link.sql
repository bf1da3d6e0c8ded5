-- Each application action points at its outbox row, so the timeline can show its ledger index.
alter table application_actions add column outbox_id bigint references outbox (id);
