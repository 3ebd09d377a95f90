"""The archive in Milvus (Standalone or Distributed; `milvus-lite`'s server in tests)."""
