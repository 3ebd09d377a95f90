"""The index directory: SQLite (the truth), FAISS vectors per generation, a manifest."""
