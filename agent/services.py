"""Builds the long-lived services (market data, cache, database) from ``Settings``.

This is the one place where configuration meets the pure layers: ``quant`` and ``retrieval``
receive plain arguments, never the settings object.
"""

from __future__ import annotations

import functools
import logging
import tomllib
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from core.settings import Settings, SettingsError
from data.cache import BytesCache, DiskCache, RedisCache
from data.errors import DataError
from data.providers.base import Provider
from data.service import ChainPolicy, MarketData
from quant.signals.config import SignalConfig
from quant.signals.confluence import Part
from retrieval.corpus import Corpus
from tools.context import ToolContext

log = logging.getLogger(__name__)


def parse_sources(spec: str | list[str] | None, settings: Settings) -> list[str]:
    """``"yahoo,bundled"`` -> ``["yahoo", "bundled"]``; None means the configured chain."""
    if spec is None:
        return list(settings.sources)
    parts = spec.split(",") if isinstance(spec, str) else spec
    try:
        checked = Settings.model_validate({**settings.model_dump(), "sources": parts})
    except ValidationError as err:
        message = str(err.errors()[0]["msg"]).removeprefix("Value error, ")
        raise DataError(f"--source: {message}") from None
    return checked.sources


def build_provider(spec: str, settings: Settings) -> Provider:
    """One provider from a source spec: bundled, yahoo, stooq, db, csv:DIR, parquet:DIR."""
    kind, _, arg = spec.partition(":")
    if kind == "bundled":
        from data.providers.bundled import BundledProvider

        return BundledProvider()
    if kind in ("csv", "parquet"):
        from data.providers.files import FileProvider

        if not arg:
            raise SettingsError(f"source {spec!r} needs a folder, e.g. {kind}:./prices")
        return FileProvider(Path(arg).expanduser(), fmt=kind)
    if kind == "yahoo":
        from data.providers.yahoo import YahooProvider

        return YahooProvider(
            base_url=settings.yahoo_base_url,
            timeout=settings.http_timeout_s,
            user_agent=settings.user_agent,
        )
    if kind == "stooq":
        from data.providers.stooq import StooqProvider

        key = settings.stooq_api_key.get_secret_value() if settings.stooq_api_key else None
        return StooqProvider(
            base_url=settings.stooq_base_url,
            timeout=settings.http_timeout_s,
            api_key=key,
            user_agent=settings.user_agent,
        )
    if kind == "db":
        from data.providers.stored import StoredProvider

        return StoredProvider(open_bar_store(settings))
    raise SettingsError(f"unknown source {spec!r}")


def build_cache(settings: Settings) -> BytesCache:
    if settings.redis_url is not None:
        try:
            return RedisCache(settings.redis_url.get_secret_value())
        except ValueError as err:  # a malformed URL or port (the message holds no secret)
            raise SettingsError(f"SIGNALDESK_REDIS_URL: {str(err).splitlines()[0]}") from None
    return DiskCache(settings.cache_dir / "http")


def policy_from(settings: Settings) -> ChainPolicy:
    return ChainPolicy(
        attempts=settings.retry_attempts,
        base_delay_s=settings.retry_base_delay_s,
        max_delay_s=settings.retry_max_delay_s,
        breaker_threshold=settings.breaker_threshold,
        breaker_cooldown_s=settings.breaker_cooldown_s,
        cache_ttl_s=settings.cache_ttl_s,
    )


def build_market_data(settings: Settings, *, sources: str | list[str] | None = None) -> MarketData:
    specs = parse_sources(sources, settings)
    return MarketData(
        [build_provider(s, settings) for s in specs],
        cache=build_cache(settings),
        policy=policy_from(settings),
        calendar=settings.calendar,
    )


def load_signal_config(settings: Settings) -> SignalConfig:
    """``SIGNALDESK_SIGNAL_CONFIG``'s file, or the defaults; ``SettingsError`` (one line) when
    the file is missing, unreadable, malformed or holds values the signal cannot use."""
    path = settings.signal_config
    if path is None:
        return SignalConfig()
    try:
        return SignalConfig.from_file(path)
    except OSError as err:
        raise SettingsError(f"SIGNALDESK_SIGNAL_CONFIG={path}: {err.strerror or err}") from None
    except (ValueError, tomllib.TOMLDecodeError) as err:  # JSON errors and ValidationError too
        raise SettingsError(f"SIGNALDESK_SIGNAL_CONFIG={path}: {_first_problem(err)}") from None


def _first_problem(err: Exception) -> str:
    if isinstance(err, ValidationError):
        first = err.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        return f"{where}: {message}" if where else message
    return str(err).splitlines()[0]


def build_tool_context(
    settings: Settings, *, as_of: date, sources: str | list[str] | None = None
) -> ToolContext:
    """The per-run context the tools (and the CLI's computations) read from."""
    config = load_signal_config(settings)
    return ToolContext(
        as_of=as_of,
        market=build_market_data(settings, sources=sources),
        config=config,
        models_dir=settings.models_dir,
        sentiment=sentiment_source(settings, config),
        index=functools.cache(lambda: open_index(settings)),  # opened once per run
        catalog=functools.cache(lambda: open_catalog(settings)),  # no model loaded
        predictions=functools.cache(lambda: open_prediction_store(settings)),  # on first use
    )


def open_index(settings: Settings):  # noqa: ANN201 - retrieval.index.Index, imported lazily
    """The document index under ``settings.index_dir`` (LanceDB) or on Pinecone."""
    from retrieval.embeddings import SentenceTransformerEmbedder
    from retrieval.index import Index

    embedder = SentenceTransformerEmbedder(settings.embedding_model)
    from retrieval.retriever import load_cross_encoder

    reranker = load_cross_encoder(settings.reranker_model)
    store = None
    if settings.vector_store == "pinecone":
        from retrieval.store.pinecone import PineconeStore

        assert settings.pinecone_api_key is not None  # checked by the settings validator
        store = PineconeStore(
            api_key=settings.pinecone_api_key.get_secret_value(),
            index_name=settings.pinecone_index or "",
            host=settings.pinecone_host or "",
            namespace=settings.pinecone_namespace,
            dim=embedder.dim,
        )
    return Index(settings.index_dir, embedder=embedder, store=store, reranker=reranker)


def open_catalog(settings: Settings):  # noqa: ANN201 - retrieval.catalog.IndexCatalog, lazily
    """What the document index holds, read from its files without loading the embedder (whose
    setting is still checked, so a wrong path is reported before anything is ingested)."""
    from retrieval.catalog import IndexCatalog
    from retrieval.embeddings import check_model_source

    check_model_source(settings.embedding_model)
    return IndexCatalog(settings.index_dir)


def open_corpus(settings: Settings) -> Corpus:
    return Corpus(settings.corpus_dir)


def sentiment_source(
    settings: Settings, config: SignalConfig
) -> Callable[[str, date], Part | None]:
    """(ticker, as_of) -> the signal's sentiment part from the ingested news and calls."""
    from quant.sentiment import load_scorer, ticker_sentiment

    corpus = open_corpus(settings)
    scorer = None

    def part(ticker: str, as_of: date) -> Part | None:
        nonlocal scorer
        start = as_of - timedelta(days=110)
        news = corpus.news(ticker, start=start, end=as_of)
        calls = corpus.calls(ticker, start=start, end=as_of)
        if not news and not calls:
            return None
        scorer = scorer or load_scorer(model=settings.sentiment_model)
        aggregate = ticker_sentiment(
            ticker=ticker,
            as_of=as_of,
            news=news,
            calls=calls,
            scorer=scorer,
            weights=config.sentiment_weights,
        )
        return aggregate.to_part()

    return part


def open_bar_store(settings: Settings):  # noqa: ANN201 - BarStore, imported lazily
    """The database's bar store, migrated to the latest schema."""
    from data.store import BarStore, make_engine, upgrade

    engine = make_engine(settings.sqlalchemy_url)
    upgrade(engine)
    return BarStore(engine)


def open_prediction_store(settings: Settings):  # noqa: ANN201 - PredictionStore, lazily
    """The recorded calls in the settings' database; a database without the ``predictions``
    table yet (a new one) is migrated first, as ``record_shown_calls`` does."""
    import sqlalchemy as sa

    from data.store import PredictionStore, make_engine

    engine = make_engine(settings.sqlalchemy_url)
    if not sa.inspect(engine).has_table("predictions"):
        from data.store import upgrade  # Alembic loads only for a database not migrated yet

        upgrade(engine)
    return PredictionStore(engine)


def record_shown_calls(
    settings: Settings, evidence: Iterable[Any], *, source: str, engine: Any = None
) -> int:
    """Record in the track record (``tools.track.record_calls``) the calls that ``evidence``
    shows, from entry point ``source`` (signal, ask, chat, api); 0 when there are none. A
    database that cannot be written is logged, never raised: the answer was already given.
    ``engine``: an open, migrated engine (default: the settings' database, migrated)."""
    from sqlalchemy.exc import SQLAlchemyError

    from data.store import PredictionStore, make_engine
    from tools.track import calls_of, record_calls

    shown = [e for e in evidence if getattr(e, "kind", None) in ("signal", "forecast")]
    if not shown or not calls_of(shown, source=source):
        return 0
    own = engine is None
    try:
        if own:
            engine = make_engine(settings.sqlalchemy_url)
        try:
            return record_calls(PredictionStore(engine), shown, source=source)
        except SQLAlchemyError:
            if not own:
                raise
            from data.store import upgrade  # Alembic loads only for a database not migrated yet

            upgrade(engine)
            return record_calls(PredictionStore(engine), shown, source=source)
    except (SQLAlchemyError, OSError, ValueError) as err:
        log.warning("calls not recorded in the track record (%s): %s", type(err).__name__, err)
        return 0
    finally:
        if own and engine is not None:
            engine.dispose()
