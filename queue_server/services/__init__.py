"""Use cases: each takes a unit of work and primitives, applies the queueing
rules and records what changed as events in the same transaction."""
