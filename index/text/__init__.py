"""Text as the engine reads it: terms, calendar names, sentences, boilerplate, periods, spans."""
