"""Feeds and sitemaps: listing their pages, fetching them politely, extracting the articles."""
