"""The newsbot engine: corpus reading, indexing, retrieval and cited answers. Never imports discord."""
