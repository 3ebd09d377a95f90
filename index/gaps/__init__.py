"""Coverage gaps: the questions the archive could not answer, grouped by topic."""
