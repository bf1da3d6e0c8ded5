-- Each message belongs to the region whose case or enquiry it is about: an administrator reads only
-- their own region's (residents and enterprises have no region of their own on a node that serves several).
alter table message_outbox add column region_code char(6) references regions (code);
create index message_outbox_region_idx on message_outbox (region_code, id desc);
