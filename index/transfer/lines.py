"""The lines of an archive export (JSONL, gzip when the name ends in .gz): a header, every
article with the vectors it was stored with, the feedback and abstentions kept, and sample
searches to check the copy by."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Annotated, Literal

import numpy as np
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from ..errors import UserError
from ..models import Article

EXPORT_FORMAT = 1


class BadExportError(UserError):
    """A file given to import is not an archive export this newsbot reads."""


def text_key(text: str) -> str:
    """What a vector is filed under: the text the model was given, hashed (a vector is 1 KB in
    the file; its text would double that)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def vector_text(blob: bytes) -> str:
    """A stored vector (float16, as the database keeps it) for the file: no rounding, so an
    imported archive holds exactly the vectors of the exported one."""
    return base64.b64encode(blob).decode("ascii")


def vector_of(text: str, dimension: int) -> np.ndarray:
    vector = np.frombuffer(base64.b64decode(text), dtype=np.float16)
    if vector.size != dimension:
        raise BadExportError(f"A vector in the export has {vector.size} numbers, not {dimension}.")
    return vector.astype(np.float32)


class Header(BaseModel):
    kind: Literal["header"] = "header"
    format: int = EXPORT_FORMAT
    model: str = Field(description="The embedding model the vectors come from.")
    dimension: int
    sentences_in_chunk: bool = Field(
        default=False,
        description="Whether its sentence vectors were pooled in their chunks' pass "
        "(index.store.records.SENTENCE_VECTORS); exports made before say nothing, and were not.",
    )
    articles: int = Field(description="Articles stored, retracted and internal ones included.")
    sentences: int
    chunks: int
    exported_at: dt.datetime


class OtherName(BaseModel):
    name: str
    source_file: str


class ArticleLine(BaseModel):
    kind: Literal["article"] = "article"
    article: Article
    also_published_as: list[OtherName] = []
    vectors: dict[str, str] = Field(description="text_key of each text embedded -> vector_text.")


class FeedbackLine(BaseModel):
    kind: Literal["feedback"] = "feedback"
    created: str
    helpful: bool
    user_hash: str
    question: str | None


class AbstentionLine(BaseModel):
    kind: Literal["abstention"] = "abstention"
    created: str
    user_hash: str
    question: str


class SampleLine(BaseModel):
    """A search run on the exported archive, and the articles it found first: the imported
    archive must find the same."""

    kind: Literal["sample"] = "sample"
    query: str
    found: list[str]


Line = Annotated[
    Header | ArticleLine | FeedbackLine | AbstentionLine | SampleLine, Field(discriminator="kind")
]
_LINE: TypeAdapter[Line] = TypeAdapter(Line)


def _open(path: Path, mode: Literal["rt", "wt"], *, compressed: bool) -> IO[str]:
    if compressed:
        return gzip.open(path, mode, encoding="utf-8")
    return path.open(mode[0], encoding="utf-8")


def _compressed(path: Path) -> bool:
    return path.suffix == ".gz"


@contextmanager
def writing(path: Path) -> Iterator[IO[str]]:
    """The export file, written beside its name and renamed when complete: an interrupted
    export leaves no file that looks whole."""
    partial = path.with_name(path.name + ".partial")
    with _open(partial, "wt", compressed=_compressed(path)) as out:
        yield out
    partial.replace(path)


def write_line(out: IO[str], line: BaseModel) -> None:
    out.write(line.model_dump_json() + "\n")


def read_lines(path: Path) -> Iterator[Line]:
    """The export's lines, the header first; a line that is not one is a BadExportError naming it."""
    if not path.is_file():
        raise BadExportError(f"No such file: {path}.")
    try:
        yield from _parsed(path)
    except (OSError, EOFError, UnicodeDecodeError) as exc:  # not gzip, cut short, not text
        raise BadExportError(f"{path} cannot be read as a newsbot export: {exc}.") from None


def _parsed(path: Path) -> Iterator[Line]:
    with _open(path, "rt", compressed=_compressed(path)) as lines:
        for n, raw in enumerate(lines, start=1):
            try:
                line = _LINE.validate_json(raw)
            except (ValidationError, ValueError) as exc:
                raise BadExportError(f"{path}, line {n}: not a line of a newsbot export ({exc}).") from None
            if n == 1 and not isinstance(line, Header):
                raise BadExportError(f"{path} does not start with a newsbot export's header.")
            if isinstance(line, Header) and line.format != EXPORT_FORMAT:
                raise BadExportError(
                    f"{path} is an export of format {line.format}; this newsbot reads format {EXPORT_FORMAT}."
                )
            yield line
