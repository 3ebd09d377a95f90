"""From a question to a cited answer: analysis, retrieval, scoring, composition."""
