"""Named errors of the market-data layer, named by how the caller should react.

Every error carries a one-line message that says what went wrong and what to do about it;
the CLI prints exactly that line.
"""

from __future__ import annotations


class DataError(Exception):
    """Base class for market-data errors; ``str(err)`` is the one-line user message."""


class InvalidTickerError(DataError, ValueError):
    """The ticker symbol is malformed (the caller must fix the input)."""


class UnknownTickerError(DataError, LookupError):
    """No configured provider knows this ticker."""

    def __init__(self, ticker: str, *, providers: list[str], hint: str = "") -> None:
        self.ticker = ticker
        self.providers = providers
        tail = f" {hint}" if hint else ""
        super().__init__(
            f"unknown ticker {ticker!r}: "
            f"not found by {', '.join(providers) or 'any provider'}.{tail}"
        )


class InvalidRangeError(DataError, ValueError):
    """The date range is malformed (start after end, or a date that is not a date)."""


class EmptyRangeError(DataError, LookupError):
    """The ticker is known but has no bars in the requested range."""


class ProviderError(DataError):
    """A provider failed in a way that may pass (network, server error, rate limit).

    ``transient`` says whether a retry could help.
    """

    def __init__(self, provider: str, message: str, *, transient: bool = True) -> None:
        self.provider = provider
        self.transient = transient
        super().__init__(f"{provider}: {message}")


class DataUnavailableError(DataError):
    """Every provider in the chain failed; the message lists each provider's reason."""


class UnusableDataError(DataUnavailableError):
    """Every provider failed on local data (a corrupt or malformed file), none online: the data
    must be fixed, and retrying will not help (the CLI's exit code 2). An online source that
    answers garbage is a service at fault (``DataUnavailableError``, exit 3)."""


class DataQualityError(DataError):
    """The data failed quality checks badly enough that nothing usable is left."""


class AmbiguousFileError(DataError, ValueError):
    """A folder holds more than one file for a ticker (``AAPL.csv`` and ``aapl.csv``): the user
    must keep one, since picking either would be a guess."""
