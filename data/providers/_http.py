"""One-attempt HTTP GET for online providers: User-Agent, timeout, and failures mapped to
``ProviderError`` with the right ``transient`` flag. Retries and caching live in the chain."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import httpx

from data.errors import ProviderError

DEFAULT_USER_AGENT = "SignalDesk/0.1 (open-source equities research agent; python-httpx)"


def _same(text: str) -> str:
    return text


def excerpt(response: httpx.Response, size: int = 160) -> str:
    """The start of a body on one line, for error messages."""
    return " ".join(response.text[:size].split())


class HttpGetter:
    """Sends GETs for one provider; ``redact`` masks secrets in every message it raises."""

    def __init__(
        self,
        provider: str,
        *,
        timeout: float,
        user_agent: str = DEFAULT_USER_AGENT,
        client: httpx.Client | None = None,
        redact: Callable[[str], str] = _same,
    ) -> None:
        self.provider = provider
        self.timeout = timeout
        self.user_agent = user_agent
        self.redact = redact
        self._client = client
        self._owns_client = client is None

    def close(self) -> None:
        """Close the HTTP client if this getter created it."""
        if self._owns_client and self._client is not None:
            self._client.close()
            self._client = None

    def fail(self, message: str, *, transient: bool) -> ProviderError:
        return ProviderError(self.provider, self.redact(message), transient=transient)

    def get(self, url: str, params: Mapping[str, str | int]) -> httpx.Response:
        """One GET; transport failures raise ``ProviderError`` (without the URL's secrets)."""
        if self._client is None:
            self._client = httpx.Client(follow_redirects=True)
        try:
            return self._client.get(
                url,
                params=dict(params),
                headers={"User-Agent": self.user_agent},
                timeout=self.timeout,
            )
        except httpx.TimeoutException:
            raise self.fail(f"no answer within {self.timeout:g} s", transient=True) from None
        except httpx.TransportError as err:
            transient = not isinstance(err, httpx.UnsupportedProtocol)
            raise self.fail(f"{type(err).__name__}: {err}", transient=transient) from None

    def check_status(self, response: httpx.Response) -> None:
        """Raise for any status but 200: 429/5xx transient, 401/403 access denied, other 4xx not."""
        status = response.status_code
        if status == 200:
            return
        if status == 429 or status >= 500:
            message = f"HTTP {status} (rate limit or server error): {excerpt(response)}"
            raise self.fail(message, transient=True)
        if status in (401, 403):
            message = f"HTTP {status}: access denied (blocked user agent, region or key?)"
            raise self.fail(message, transient=False)
        raise self.fail(f"HTTP {status}: {excerpt(response)}", transient=False)
