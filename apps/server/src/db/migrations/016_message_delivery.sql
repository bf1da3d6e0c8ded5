-- SMS and email are written to the outbox in the transaction of the change they tell about, and a
-- worker delivers them through the message port afterwards, retrying with backoff: a crash after the
-- commit loses no message, and no request waits on a gateway. Rows from before were delivered already.
alter table message_outbox add column status text not null default 'sent'
  check (status in ('pending', 'sent', 'failed'));
alter table message_outbox add column attempts integer not null default 0;
alter table message_outbox add column next_attempt_at timestamptz;
alter table message_outbox add column sent_at timestamptz;
alter table message_outbox add column last_error text;
create index message_outbox_due_idx on message_outbox (next_attempt_at) where status = 'pending';
