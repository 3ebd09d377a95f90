"""The archive: what answering and ingest need of a store, and the back ends that provide it."""
