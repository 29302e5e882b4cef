//! Read side: durable, checkpointed subscriptions that follow the global event
//! log (`veritrail_event_store::GlobalPosition`) and maintain read models.
//! Lands with the read-side issue; nothing here yet.
