"""Price providers: bundled (offline), files (csv/parquet), yahoo, stooq, stored (database)."""

from data.providers.base import Provider, RawBars

__all__ = ["Provider", "RawBars"]
