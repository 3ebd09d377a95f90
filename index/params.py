"""Every tunable of the engine, typed and documented, with the measurement that set it.

The engine reads its knobs only from these objects: `EngineParams` is built once where the
program starts (the CLI, the bot, a tool or a test) and passed down. A test that needs another
value passes other parameters; nothing patches a module.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Params(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RetrievalParams(_Params):
    """Hybrid retrieval: dense FAISS hits and FTS5 exact-term hits, fused by reciprocal rank."""

    rrf_k: int = Field(default=60, gt=0, description="Reciprocal rank fusion constant (the usual 60).")
    depth: int = Field(
        default=40,
        gt=0,
        description="Chunks each side (dense, lexical) contributes before fusion. 25 / 40 / 60 asked "
        "of one built archive each: RealTimeQA's 500 first citation 82.0 / 82.2 / 82.4%, wrong 8.2 / "
        "8.0 / 7.8% (85.2 and 85.4% at 40 and 60 answering every question); SQuAD's every 4th "
        "question 75.8% at each: one question in 500 and none in SQuAD's 1,520, so 40 is kept.",
    )
    top: int = Field(
        default=12,
        gt=0,
        description="Fused chunks whose sentences become candidates: 12 rather than 8 puts an answering "
        "sentence among the candidates for more questions; the cross-encoder reads only the best.",
    )
    news_depth: int = Field(
        default=48,
        gt=0,
        description="For a question about a day's news (`QuestionAnalysis.news_of`): fused chunks "
        "whose article's recency is weighed before the best `top` are kept. On RealTimeQA's 500 "
        "questions (`Engine.judge`, the cross-encoder reading 8, threshold 0.1887), with "
        "`news_recency_weight` 0.5: fused rank alone / 24 / 48 put an answering sentence among "
        "the candidates for 90.8 / 94.6 / 96.2% and the first citation right for 74.4 / 77.8 / "
        "78.0% (docs/answering.md).",
    )
    news_recency_weight: float = Field(
        default=0.5,
        ge=0,
        description="... the weight of that recency (`AnswerParams.recency_half_life_days`) beside "
        "the chunk's fused score scaled to the best one's. At depth 48, 0.25 / 0.5 / 1.0: an "
        "answering sentence among the candidates for 94.0 / 96.2 / 96.4%, first citation right "
        "76.6 / 78.0 / 78.0%, wrong 8.8 / 8.6 / 8.6%; 0.5, the smaller of the two best.",
    )
    overfetch: int = Field(
        default=2,
        gt=0,
        description="Dense hits asked for per chunk kept: some belong to retracted or hidden articles.",
    )
    lexical_overfetch: int = Field(
        default=4, gt=0, description="FTS5 hits ranked per chunk kept, for the same reason."
    )
    lexical_postings: int = Field(
        default=1000,
        gt=0,
        description="FTS5 scores every chunk holding any query term before ranking (2-4 µs a chunk "
        "at 100k chunks), so its query keeps only the rarest terms whose chunk counts add up to "
        "this many; commoner terms tell few chunks apart and the dense side finds those by meaning.",
    )
    search_factor: int = Field(
        default=4, gt=0, description="`newsbot search`: fused chunks looked at per article listed."
    )
    search_min_similarity: float = Field(
        default=0.4,
        description="`newsbot search`: an article is listed when its best sentence shares a term "
        "with the query or means at least this close to it (dense similarity); fusion ranks any "
        "chunk, so without a floor every query lists the nearest articles, related or not. "
        "Measured with all-MiniLM-L6-v2 on corpus/, the best sentence (read in its chunk) for: "
        "'vehicle thefts' 0.47, 'car stolen' 0.47; 'zebra crossing elections' 0.29, 'stock "
        "market earnings' 0.24, 'weather forecast snow' 0.21 (embedded alone 0.45, 0.49; 0.30, "
        "0.23, 0.18). A query sharing a term passes anyway ('hospital': 0.28 in its chunk).",
    )
    snippet_chars: int = Field(
        default=300, gt=40, description="`newsbot search`: longest snippet, cut between words."
    )
    filter_exact_max: int = Field(
        default=3_000,
        ge=0,
        description="A filter (outlet, publication dates) that lets at most this many chunks through "
        "is searched densely by exact inner products with those chunks' vectors (2-4 µs a chunk); "
        "one that lets more through, by asking FAISS for the whole archive's nearest chunks, as many "
        "more as the filter is selective, and keeping those it lets through. Measured at 100k chunks "
        "(HNSW; the bench's archive grown from 374 RealTimeQA articles, outlets kept; median of 30 "
        "RealTimeQA questions, 2 cores), exact / over-fetched (FAISS asked for): 777 chunks 1.6 / "
        "12.4 ms (1,402), 1,764 6.8 / 38.8 ms (2,752), 3,811 12.9 / 2.9 ms (286), 17,980 31.5 / 8.2 "
        "ms (520), 75,670 154 / 3.1 ms (167); unfiltered 1.8 ms.",
    )
    filter_fetch_max: int = Field(
        default=1_500,
        ge=0,
        description="... unless that would ask FAISS for more than this many (depth x overfetch x "
        "the articles this audience sees / those the filter lets through; articles, not chunks, "
        "are counted, cheaply): HNSW's cost grows with what it is asked for (above: 1,402 took "
        "12.4 ms, 2,752 38.8 ms), and exact search of a large archive's rare outlet is cheaper.",
    )
    outlets_listed: int = Field(
        default=20, gt=0, description="Outlets an unknown-outlet error lists (the rest are counted)."
    )


class Calibration(_Params):
    """A logistic model of "this sentence answers the question" over the features of
    `index.answering.features`: p = 1 / (1 + exp(-(bias + sum of weight * feature)))."""

    # Fitted by `newsbot calibrate --squad ../shared/data/squad-v2.0-dev-half.json --rtqa
    # .data/rtqa` over the candidates as this engine finds them (sentences read in their chunks,
    # the day's articles retrieved first): 46,929 eligible of the 52,624 candidate sentences read
    # for 6,578 questions (docs/answering.md).
    weights: dict[str, float] = Field(
        default={
            "rerank": 0.6495,
            "rerank_margin": 1.5329,
            "relevance": 4.9782,
            "lexical": -0.6063,
            "chunk": 0.7274,
            "span": 0.1271,
            "no_span": -0.519,
            "within": 0.4791,
            "overlap": 0.0356,
            "dated": 2.1234,
            "outside": 0.0,
            "conflict": -0.8805,
            "names_missing": 0.0,
            "recent": 2.2801,
        },
        description="Weight of each feature; a feature not named weighs 0.",
    )
    bias: float = Field(default=-5.4402, description="The log-odds of a sentence with all features 0.")
    calibrated_on: str = Field(
        default="SQuAD 2.0 (6078 questions), RealTimeQA (500 questions)",
        description="The development data the weights were fitted on (never the gold set).",
    )


class RerankParams(_Params):
    """The cross-encoder stage: the best candidates of the first stage are read with the question."""

    depth: int = Field(
        default=8,
        ge=0,
        description="Candidate sentences the cross-encoder scores. `newsbot eval --rtqa .data/rtqa "
        "--depths 4,8,12,20,30` (500 questions, the day's articles retrieved first, the shipped "
        "answer model): first citation right 82.2 / 82.2 / 82.0 / 82.0 / 82.0%, wrong 9.0 / 8.0 / "
        "8.2 / 8.2 / 8.0%, p50 57 / 56 / 101 / 157 / 205 ms a question (2-core AMD EPYC). 4 reads "
        "the answer for fewer questions (92.0 against 93.4% on RealTimeQA, 92.6 against 94.9% on "
        "SQuAD) and answers wrongly more often; past 8 none more are right, for twice the time.",
    )
    max_tokens: int = Field(
        default=96,
        gt=0,
        description="Word pieces of question and passage together, truncated longest first. 96, 128 "
        "and 160 asked of one built archive each (about 3% of SQuAD's and 8% of RealTimeQA's read "
        "pairs are longer than 96): RealTimeQA's 500 first citation 82.2 / 82.0 / 82.0%, wrong 8.0% at "
        "each; SQuAD's every 4th question (1,520) 75.8 / 75.9 / 75.9%, unanswerable abstained 36.1 "
        "/ 35.9 / 36.0%; p50 within noise. Longer reads nothing the answer turns on.",
    )
    title: bool = Field(
        default=True,
        description="Put the article's title before the sentence: +2 points on SQuAD (80.6 -> 82.6% "
        "of answerable questions with the right sentence first), none on RealTimeQA.",
    )
    threads: int = Field(
        default=2,
        gt=0,
        description="Threads the cross-encoder runs on. `score` of one question with eight RealTimeQA "
        "title + sentence pairs at 96 word pieces, 40 batches, on the 2-core Intel Xeon idle: p50 119 "
        "ms on one thread, 67 ms on two; `newsbot bench` at 100k chunks in the README.",
    )


class AnswerParams(_Params):
    """Which retrieved sentences answer, and how the answer is composed."""

    threshold: float = Field(
        default=0.1999,
        description="The calibrated probability below which the bot abstains (`calibration`): "
        "`newsbot calibrate`'s `replacing_threshold`, the lowest at which the refitted model "
        "answers no development set wrongly more often than the model it replaced (0.1887 on the "
        "earlier weights). There RealTimeQA is answered right for 82.2%, wrong for 8.0%, abstained "
        "on for 9.8% (before: 78.2 / 8.4 / 13.4%), SQuAD's answerable questions right for 72.7% "
        "and its unanswerable abstained on for 35.4% (before: 72.9 / 35.1%). Fitted and chosen on "
        "the even questions, measured on the odd: RealTimeQA 77.2 / 10.0 / 12.8% (the earlier "
        "model 74.8 / 9.2 / 16.0%). The rule that weighs a wrong answer as much as a right one "
        "picks 0.2576, where SQuAD's answerable questions lose 7.7 points right for 13.1 more of "
        "its unanswerable rewrites abstained on (docs/answering.md).",
    )
    dense_margin: float = Field(
        default=0.08,
        description="Further figures are listed when within this dense similarity of the best one.",
    )
    max_answers: int = Field(default=4, gt=0, description="Most figures one answer lists.")
    max_citations: int = Field(
        default=8,
        gt=0,
        description="Most citations one answer carries: after the answer's own, the next most "
        "probable sentences that clear the threshold too, as more sources. Over the calibration's "
        "examples (`newsbot calibrate`) they put an answer in the first three citations for 67.4% "
        "of RealTimeQA's questions against 67.0% when only those within 0.25 of the best answer's "
        "probability were listed.",
    )
    related: int = Field(default=3, ge=0, description="Related passages shown with an abstention.")
    explained: int = Field(
        default=8, gt=0, description="Candidate sentences an explanation (--explain) goes through."
    )
    # First-stage relevance picks the sentences the cross-encoder reads and is one of the answer
    # model's features. Each alternative below was asked of one built archive with every question
    # answered (threshold 0, ranking alone): RealTimeQA's 500 first citation 85.2% as shipped,
    # 83.6% at 0.5 / 0.2 / 0.3, 84.2% with chunk 0.3; SQuAD's every 4th question (1,520) 84.2%
    # as shipped, 83.9% for both. At the shipped threshold dense 0.7 / lexical 0.15 gave
    # RealTimeQA 82.8% right and 8.4% wrong (82.2 / 8.0% shipped) and SQuAD 75.2% (75.8%);
    # 0.5 / 0.35 gave 81.0 / 8.2% and 74.6%. A larger chunk weight answers more only by lifting
    # relevance past the calibrated threshold (chunk 0.3: SQuAD wrong 35.7 -> 46.8%).
    dense_weight: float = Field(
        default=0.6, description="Weight of dense similarity in first-stage relevance (measured above)."
    )
    lexical_weight: float = Field(
        default=0.25,
        description="Weight of IDF-weighted term overlap in first-stage relevance (measured above).",
    )
    chunk_weight: float = Field(
        default=0.15,
        description="Weight of the sentence's chunk's fused retrieval score (measured above).",
    )
    recency_weight: float = Field(
        default=0.2,
        ge=0,
        description="Weight of the article's recency (`recency_half_life_days`) in first-stage "
        "relevance, for a question about a day's news: which sentences the cross-encoder reads. "
        "On RealTimeQA's 500 questions (depth 8, threshold 0) 0 / 0.05 / 0.1 / 0.2 / 0.3 put "
        "an answer among those read for 82.6 / 84.4 / 85.2 / 85.4 / 85.4% and first for 70.8 / "
        "72.2 / 72.6 / 73.0 / 73.0%; SQuAD (undated) is unchanged.",
    )
    counted_min_similarity: float = Field(
        default=0.35,
        description="A figure counts the question's thing when its words mean this close to it. "
        "Measured with all-MiniLM-L6-v2: 'carjackings' vs '942 vehicular hijackings, which "
        "averages' 0.57, 'shooters' vs 'at least two gunmen who ambushed' 0.40, 'homicides' vs "
        "'nearly 2,098 incidents of vehicular hijacking' 0.30.",
    )
    counted_window_words: int = Field(
        default=5, gt=0, description="Words after a figure read as what it counts."
    )
    recency_half_life_days: float = Field(
        default=7.0,
        gt=0,
        description="For a question about a day's news (`QuestionAnalysis.news_of`), an article's "
        "recency halves with each this many days it was published before that day: a news "
        "week, not tuned (with recency added to the answer model's log-odds instead, half-lives "
        "of 2, 10 and 40 days moved RealTimeQA's first citation by at most 0.4 points).",
    )
    rerank: RerankParams = RerankParams()
    calibration: Calibration = Calibration()


class VectorParams(_Params):
    """The FAISS index: its kind follows the archive's size (measured by `newsbot bench`,
    docs/bench.md)."""

    flat_max: int = Field(
        default=20_000,
        gt=0,
        description="Exact search up to this many vectors. At 20k a flat query costs ~3 ms on one "
        "core (0.15 µs a vector) and 30 MB; HNSW is ~0.2 ms and half the memory, but approximate.",
    )
    hnsw_m: int = Field(default=32, gt=0, description="HNSW links per vector.")
    ef_construction: int = Field(
        default=80,
        gt=0,
        description="HNSW build breadth. 80 rather than faiss's 40 doubles the add time (1M "
        "vectors: 108 s -> ~200 s on 2 cores, ~0.2 ms a chunk against ~20 ms to encode it) and "
        "raised recall@10 at 1M from 0.937 to 0.970 at efSearch 1024.",
    )
    ef_search: tuple[tuple[int, int], ...] = Field(
        default=((50_000, 128), (200_000, 256), (500_000, 512)),
        description="(largest size, efSearch) steps, 1024 past the last. From `newsbot bench` "
        "sweeps with efConstruction 80: recall@10 0.971 at 100k with 128 and 0.986 with 256, 0.964 "
        "at 1M with 512 and 0.970 with 1024 (real-derived vectors).",
    )
    ef_search_max: int = Field(default=1024, gt=0, description="efSearch past the last step.")
    compact_fraction: float = Field(
        default=0.2,
        gt=0,
        lt=1,
        description="Tombstones beyond this fraction of an HNSW index trigger a compaction.",
    )
    mmap_min_bytes: int = Field(
        default=64 << 20, ge=0, description="Vector files at least this large are memory-mapped."
    )
    hnsw_train_sample: int = Field(
        default=100_000, gt=0, description="Vectors the 8-bit quantiser's ranges are trained on."
    )

    def ef_for(self, size: int) -> int:
        """HNSW search breadth for an index of `size` vectors."""
        for largest, ef in self.ef_search:
            if size <= largest:
                return ef
        return self.ef_search_max


class StoreParams(_Params):
    """SQLite settings of the index database."""

    mmap_bytes: int = Field(
        default=1 << 30,
        ge=0,
        description="An answer reads a few hundred scattered pages: served from a memory map, not "
        "one read() call each (the visibility filter at 100k chunks: 1.8 -> 0.6 ms).",
    )
    cache_kib: int = Field(default=64 * 1024, gt=0, description="SQLite page cache, in KiB.")
    busy_timeout_s: float = Field(
        default=60.0, gt=0, description="How long a writer waits for another's lock."
    )
    min_free_bytes: int = Field(
        default=64 << 20,
        ge=0,
        description="Free space an ingest leaves on the index's disk: a batch that would start "
        "below it, or a rebuild that would leave less beside a copy of the archive, stops with a "
        "clear error while the archive can still be opened and asked (SQLite needs its 32 KiB "
        "-shm and log for that). A batch of 64 two-paragraph articles wrote 3.4 MB on average "
        "(53.6 MB for 1,000 in 16 batches, tests/index/store/ingest_write_volume.py): 64 MiB is "
        "about 20 such batches, or one of 64 articles of 1 MB.",
    )


class RemoteParams(_Params):
    """The archive in Milvus (index/archive/milvus/)."""

    hnsw_m: int = Field(default=32, gt=0, description="HNSW links per chunk vector, as the embedded index.")
    ef_construction: int = Field(
        default=80, gt=0, description="HNSW build breadth, as the embedded index (VectorParams)."
    )
    orphans: int = Field(
        default=8,
        ge=0,
        description="Hits fetched beyond the depth for rows no article row names (an ingest killed "
        "mid-batch leaves some until its rerun): readers skip them.",
    )
    read_batch: int = Field(
        default=500, gt=0, description="Ids asked for in one request (`in [...]` lists and gets)."
    )
    text_part_chars: int = Field(
        default=16_000,
        gt=0,
        description="Characters of an article's text per stored part: 4 bytes a character at worst "
        "stays within a VARCHAR's 65,535 bytes.",
    )
    timeout_s: float = Field(default=30.0, gt=0, description="How long one request may take.")


class IngestParams(_Params):
    """Reading, laying out and writing articles."""

    batch_articles: int = Field(
        default=64,
        gt=0,
        description="Articles laid out, embedded and committed together (one transaction; the next "
        "batch is laid out while this one is embedded). 150 RealTimeQA articles searchable in "
        "16.4-17.4 s at 16, 16.6-16.8 s at 32, 17.5-17.7 s at 64 (two rounds each, 2-core AMD "
        "EPYC, before the encoder's throughput batches; 16.0-16.8 s at 64 in another run): no "
        "order beyond run-to-run noise, so the larger batch keeps fewer transactions.",
    )
    chunk_tokens: int = Field(
        default=230,
        gt=0,
        description="Word pieces of a chunk, title included: all-MiniLM-L6-v2 truncates at 256; "
        "leave room for [CLS]/[SEP].",
    )
    chunk_min_tokens: int = Field(
        default=64, gt=0, description="Sentence budget of a chunk however long the title is."
    )
    chunk_overlap: int = Field(
        default=1,
        ge=0,
        description="Sentences consecutive chunks share, so a fact split at an edge is whole in one.",
    )
    progress_seconds: float = Field(
        default=30.0,
        gt=0,
        description="`newsbot ingest` with standard error not a terminal (a log, CI, a service "
        "manager): seconds between progress lines.",
    )
    day_first: bool = Field(
        default=False,
        description="Read a numeric date whose first two numbers could each be the month "
        "('02/06/2022') day first (2 June) rather than month first (6 February, as US CMS exports "
        "write it). A day over 12 ('28/07/2022') and a year first ('2022/06/02') are read the one "
        "way they can be either way.",
    )


class FeedParams(_Params):
    """Fetching feeds, sitemaps and article pages over HTTP (index/feeds/)."""

    user_agent: str = Field(
        default="newsbot/0.1 (+archive refresh)",
        description="Sent with every request and matched against robots.txt groups.",
    )
    timeout_s: float = Field(
        default=20.0,
        gt=0,
        description="Longest a page may take, connection to last byte; a slower one fails and is "
        "tried again next refresh. News pages arrive in well under a second; 20 s covers a slow "
        "CMS without letting one page hold a refresh.",
    )
    max_page_bytes: int = Field(
        default=5_000_000,
        gt=0,
        description="Largest page, feed or sitemap read; a larger one fails. News article pages "
        "weigh 100 KB to 2 MB of HTML with inline scripts; the text itself is capped at 2 MB "
        "(index/ingest/corpus.py).",
    )
    host_interval_s: float = Field(
        default=1.0,
        ge=0,
        description="Least time between two requests to one host (robots.txt's Crawl-delay when "
        "longer, up to `max_crawl_delay_s`): one request a second is the usual polite rate.",
    )
    max_crawl_delay_s: float = Field(
        default=30.0, ge=0, description="A larger Crawl-delay in robots.txt is read as this."
    )
    max_redirects: int = Field(
        default=5, ge=0, description="Redirects followed per page (browsers allow 20; CMSs use 1 or 2)."
    )
    max_pages: int = Field(
        default=500,
        gt=0,
        description="Most article pages one feed or sitemap contributes per refresh (a news sitemap "
        "lists the last two days, a few hundred URLs for a large newsroom).",
    )
    max_sitemaps: int = Field(
        default=20, gt=0, description="Most child sitemaps read from one sitemap index."
    )


class GapParams(_Params):
    """Coverage gaps: unanswered questions grouped by topic (index/gaps/)."""

    similarity: float = Field(
        default=0.4,
        gt=-1,
        lt=1,
        description="Groups merge while their questions' mean cosine similarity is at least this. "
        "Measured with all-MiniLM-L6-v2 on the scripted questions of tests/index/gaps (pool hours, "
        "snow plowing, a dog park, a parade): 0.35 to 0.40 groups them as a person does; 0.30 "
        "puts the parade with the dog park, 0.45 splits 'how much is a pool pass' from the pool.",
    )
    topics: int = Field(default=10, gt=0, description="Topics a report lists, most asked first.")
    examples: int = Field(default=3, gt=0, description="Example questions shown per topic.")
    max_questions: int = Field(
        default=2000,
        gt=0,
        description="Newest questions grouped: scipy's average linkage keeps the n(n-1)/2 "
        "distances, 16 MB for 2,000 questions.",
    )


class FigureParams(_Params):
    """`Engine.figures`: the figures stored at ingest that are about a topic, grouped by thing."""

    chunks: int = Field(
        default=40,
        gt=0,
        description="Fused chunks (hybrid retrieval of the topic) whose sentences' figures are read.",
    )
    thing_min_similarity: float = Field(
        default=0.6,
        description="A figure counts the topic when what it counts means at least this close to it "
        "(dense similarity; a shared stem always counts). Measured with all-MiniLM-L6-v2: "
        "'carjackings' vs 'vehicular hijackings' 0.72, 'incidents of vehicular hijacking' 0.72, "
        "'car thefts' 0.70; vs 'robberies' 0.58, 'vehicles' 0.53, 'arrests' 0.51, 'homicides' "
        "0.43, 'people' 0.29; 'homicides' vs 'murders' 0.84, vs 'shootings' 0.57.",
    )
    same_thing_similarity: float = Field(
        default=0.7,
        description="Two counted things are one when they mean at least this close to each other: "
        "'carjackings' and 'vehicular hijackings' (0.72) are, 'carjackings' and 'robberies' (0.58) "
        "or 'homicides' and 'shootings' (0.57) are not (all-MiniLM-L6-v2). 'car thefts' (0.70) is "
        "on the line and joins carjackings.",
    )
    cached_things: int = Field(
        default=20_000,
        gt=0,
        description="Counted things whose vectors are kept in memory once encoded (1.5 KB each).",
    )


class TransferParams(_Params):
    """`newsbot export` and `newsbot import`."""

    samples: int = Field(
        default=20, ge=0, description="Searches an export records, and an import repeats, to check a copy by."
    )
    sample_hits: int = Field(default=3, gt=0, description="Articles each sample search lists, in order.")
    batch_articles: int = Field(
        default=2_000,
        gt=0,
        description="Articles an import reads with their vectors before writing them: a batch's "
        "vectors are held in memory (about 50 KB for an article of 600 words: 100 MB a batch).",
    )


class TimelineParams(_Params):
    """Timelines (`Engine.timeline`, index/timeline/): the dated events the archive reports about a
    topic, in the order they happened."""

    depth: int = Field(
        default=150,
        gt=0,
        description="Chunks each side of retrieval (dense, lexical) contributes: deeper than a "
        "question's 40, so that events come from many articles, not the few best.",
    )
    chunks: int = Field(default=120, gt=0, description="Fused chunks whose sentences are read.")
    min_similarity: float = Field(
        default=0.50,
        description="A sentence is about the topic when its vector means at least this close to "
        "the topic's (dense similarity, all-MiniLM-L6-v2, sentences read in their chunks). Judged "
        "by hand on the RealTimeQA development archive (docs/research.md, Timelines) for "
        "'Hurricane Ian', 'Elon Musk's takeover of Twitter' and 'Russia's invasion of Ukraine' "
        "with sentences embedded alone: of the 73 dated sentences between 0.35 and 0.40, 20 were "
        "about the topic; above 0.40 most are. Read in their chunks the same sentences score "
        "higher (their passage's topic is theirs); the threshold that lists as many sentences as "
        "0.40 did was 0.497, 0.501 and 0.483 for those topics and 0.501 and 0.504 for corpus/'s "
        "'officer shootings' and 'shootings of police officers' (docs/answering.md). On corpus/ "
        "the Sunday sergeant shooting scores 0.50 and 0.52.",
    )
    merge_similarity: float = Field(
        default=0.75,
        description="Two events of different articles on overlapping days are one, reported "
        "twice, when their sentences mean at least this close (dense similarity). Pairs read by "
        "hand on the RealTimeQA development archive (docs/research.md, Timelines) with sentences "
        "embedded alone: the one pair above 0.70 was one event (Musk's pledge to lift Trump's "
        "ban, 0.71); between 0.60 and 0.70 about one in four was, the rest related events. Read "
        "in their chunks, on-topic sentences of different articles are closer; the threshold "
        "that joins as many pairs as 0.70 did was 0.763, 0.838 and 0.751 for the three topics "
        "and 0.727 on corpus/ (docs/answering.md).",
    )
    published_per_article: int = Field(
        default=1,
        ge=0,
        description="Sentences of an article dated only by its publication that are listed (its "
        "most on-topic ones), marked so. On the RealTimeQA archive the offer for Twitter and its "
        "sale are such sentences (ledes state the event without a date): 0 loses them; all of "
        "them buries the dated events under an article's dozens of undated sentences.",
    )
    max_events: int = Field(
        default=60, gt=0, description="Most events a timeline lists: the most on-topic, in date order."
    )


class EngineParams(_Params):
    retrieval: RetrievalParams = RetrievalParams()
    answer: AnswerParams = AnswerParams()
    vectors: VectorParams = VectorParams()
    store: StoreParams = StoreParams()
    remote: RemoteParams = RemoteParams()
    ingest: IngestParams = IngestParams()
    feeds: FeedParams = FeedParams()
    gaps: GapParams = GapParams()
    figures: FigureParams = FigureParams()
    transfer: TransferParams = TransferParams()
    timeline: TimelineParams = TimelineParams()
