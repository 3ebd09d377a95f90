"""From corpus files to prepared articles: readers, sentence layout, chunking, the pipeline."""
