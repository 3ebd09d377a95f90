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
    CountedThing,
    ExplainedCandidate,
    Explanation,
    Figure,
    FigureGroup,
    FigureReport,
    FigureValue,
    IngestReport,
    Period,
    PeriodBasis,
    QuestionReading,
    Quote,
    SearchHit,
    SkipReason,
    Source,
    Stats,
    Status,
    Timeline,
    TimelineEvent,
    Visibility,
)
from .params import (
    AnswerParams,
    EngineParams,
    FeedParams,
    FigureParams,
    IngestParams,
    RetrievalParams,
    StoreParams,
    TimelineParams,
    VectorParams,
)
from .transfer.reports import ExportReport, ImportReport

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
    "CountedThing",
    "Encoder",
    "EncoderBackend",
    "Engine",
    "EngineParams",
    "ExplainedCandidate",
    "Explanation",
    "ExportReport",
    "FeedParams",
    "Figure",
    "FigureGroup",
    "FigureParams",
    "FigureReport",
    "FigureValue",
    "GapReport",
    "GapTopic",
    "ImportReport",
    "IndexIncompatibleError",
    "IndexMissingError",
    "IngestParams",
    "IngestReport",
    "Period",
    "PeriodBasis",
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
    "Timeline",
    "TimelineEvent",
    "TimelineParams",
    "UserError",
    "VectorParams",
    "Visibility",
    "http_client",
    "load_encoder",
    "load_reranker",
]
