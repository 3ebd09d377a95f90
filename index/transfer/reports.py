"""What an export wrote and what an import did, for the front ends to show."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ..models import IngestReport


class ExportReport(BaseModel):
    path: str
    model: str
    articles: int
    sentences: int
    chunks: int
    feedback: int
    abstentions: int
    samples: int


class SampleMiss(BaseModel):
    query: str
    expected: list[str] = Field(description="The articles the exported archive found first.")
    found: list[str] = Field(description="Those the imported one found.")


class ImportReport(BaseModel):
    ingest: IngestReport
    expected: tuple[int, int, int] = Field(description="Articles, sentences, chunks in the export.")
    stored: tuple[int, int, int] = Field(description="Of the export's articles, those now stored.")
    embedded: int = Field(description="Texts the model had to embed (laid out otherwise than exported).")
    feedback: int = Field(description="Feedback rows added (rows already here are not added twice).")
    abstentions: int
    samples: int
    misses: list[SampleMiss] = []

    @property
    def verified(self) -> bool:
        """Every article with its sentences and chunks is here, and the sample searches agree."""
        return self.stored == self.expected and not self.misses
