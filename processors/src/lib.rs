//! Processors: vision checks (liveness, document OCR + MRZ, face match),
//! compliance checks, timers, webhook delivery and the Kafka outbox relay.
//! They act on cases by sending commands through the domain and the store.
//! Lands with the check and platform issues; nothing here yet.
