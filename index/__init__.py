"""The newsbot engine: corpus reading, indexing, retrieval and cited answers.

Front ends and tools use what this module exports; the engine never imports `bot` or
`discord` (tests/test_structure.py holds it to that).
"""

from .encoders.base import Encoder
from .encoders.factory import DEFAULT_BACKEND, EncoderBackend, load_encoder
from .encoders.reranker import Reranker, load_reranker
from .engine import Engine
from .errors import BadFilterError, BadQuestionError, IndexIncompatibleError, IndexMissingError, UserError
from .feeds.fetch import http_client
from .feeds.records import RefreshReport
from .gaps.topics import GapReport, GapTopic
from .models import (
    AbstainReason,
    Answer,
    AnswerKind,
    AnswerLine,
    ArticleFilter,
    ArticleInfo,
    Citation,
    ExplainedCandidate,
    Explanation,
    IngestReport,
    QuestionReading,
    Quote,
    SearchHit,
    SkipReason,
    Source,
    Stats,
    Status,
    Visibility,
)
from .params import (
    AnswerParams,
    EngineParams,
    FeedParams,
    IngestParams,
    RetrievalParams,
    StoreParams,
    VectorParams,
)

__all__ = [
    "DEFAULT_BACKEND",
    "AbstainReason",
    "Answer",
    "AnswerKind",
    "AnswerLine",
    "AnswerParams",
    "ArticleFilter",
    "ArticleInfo",
    "BadFilterError",
    "BadQuestionError",
    "Citation",
    "Encoder",
    "EncoderBackend",
    "Engine",
    "EngineParams",
    "ExplainedCandidate",
    "Explanation",
    "FeedParams",
    "GapReport",
    "GapTopic",
    "IndexIncompatibleError",
    "IndexMissingError",
    "IngestParams",
    "IngestReport",
    "QuestionReading",
    "Quote",
    "RefreshReport",
    "Reranker",
    "RetrievalParams",
    "SearchHit",
    "SkipReason",
    "Source",
    "Stats",
    "Status",
    "StoreParams",
    "UserError",
    "VectorParams",
    "Visibility",
    "http_client",
    "load_encoder",
    "load_reranker",
]
