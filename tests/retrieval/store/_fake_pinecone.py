"""A fake Pinecone data plane on 127.0.0.1: the REST endpoints the SDK's ``Index`` calls.

Implements ``POST /vectors/upsert``, ``POST /query``, ``GET /vectors/fetch``,
``POST /vectors/delete`` and ``POST /describe_index_stats`` over in-memory namespaces, with
Pinecone's metadata filter language ($eq $ne $gt $gte $lt $lte $in $nin $exists $and $or) and
the validation rules the real service applies to what we send: the Api-Key header, the vector
dimension, no null metadata values, metadata of at most 40 KB, numbers only for range
operators. Numbers come back as floats, as the real service returns them. Every request is
recorded (method, path, headers, JSON body or query) for the tests to inspect.
"""

from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

METADATA_LIMIT = 40_960
_RANGE = {
    "$gt": lambda a, b: a > b,
    "$gte": lambda a, b: a >= b,
    "$lt": lambda a, b: a < b,
    "$lte": lambda a, b: a <= b,
}


class BadRequest(Exception):
    """Answered with HTTP 400 and the message, like Pinecone's validation errors."""


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


def _value_ok(value: Any) -> bool:
    if isinstance(value, bool | str):
        return True
    if isinstance(value, int | float):
        return math.isfinite(value)
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _as_stored(value: Any) -> Any:
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _condition(value: Any, op: str, arg: Any, present: bool) -> bool:
    if op == "$exists":
        return present == bool(arg)
    if op == "$eq":
        return present and (arg in value if isinstance(value, list) else value == arg)
    if op == "$ne":
        return not present or (arg not in value if isinstance(value, list) else value != arg)
    if op in ("$in", "$nin"):
        if not isinstance(arg, list) or not arg or len(arg) > 10_000:
            raise BadRequest(f"{op} needs a non-empty list of at most 10,000 values")
        hit = present and (
            any(v in arg for v in value) if isinstance(value, list) else value in arg
        )
        return hit if op == "$in" else not hit
    if op in _RANGE:
        if isinstance(arg, bool) or not isinstance(arg, int | float):
            raise BadRequest(f"{op} accepts numbers only, got {arg!r}")
        ok = present and isinstance(value, int | float) and not isinstance(value, bool)
        return ok and _RANGE[op](value, arg)
    raise BadRequest(f"unknown filter operator {op!r}")


def matches(metadata: dict[str, Any], flt: dict[str, Any]) -> bool:
    """Whether ``metadata`` passes Pinecone filter ``flt`` (every clause is validated)."""
    if not isinstance(flt, dict) or not flt:
        raise BadRequest("a filter must be a non-empty object")
    results = []
    for key, cond in flt.items():
        if key in ("$and", "$or"):
            if not isinstance(cond, list) or not cond:
                raise BadRequest(f"{key} needs a non-empty list")
            parts = [matches(metadata, c) for c in cond]
            results.append(all(parts) if key == "$and" else any(parts))
        elif key.startswith("$"):
            raise BadRequest(f"unknown filter operator {key!r}")
        else:
            ops = cond if isinstance(cond, dict) else {"$eq": cond}
            value, present = metadata.get(key), key in metadata
            results.append(all([_condition(value, op, arg, present) for op, arg in ops.items()]))
    return all(results)


@dataclass
class FakePinecone:
    """The fake index: ``dim``, ``metric`` and the API key it accepts."""

    dim: int
    metric: str = "cosine"
    api_key: str = "test-key"
    namespaces: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)

    # -- endpoints ------------------------------------------------------------------------
    def upsert(self, body: dict[str, Any]) -> dict[str, Any]:
        vectors = body.get("vectors")
        if not isinstance(vectors, list) or not 1 <= len(vectors) <= 1_000:
            raise BadRequest("vectors must hold 1 to 1000 records")
        space = self.namespaces.setdefault(body.get("namespace", ""), {})
        for record in vectors:
            if not record.get("id"):
                raise BadRequest("every vector needs an id")
            if len(record.get("values", [])) != self.dim:
                raise BadRequest(f"vector dimension {len(record['values'])} != {self.dim}")
            metadata = record.get("metadata") or {}
            if len(json.dumps(metadata, ensure_ascii=False).encode("utf-8")) > METADATA_LIMIT:
                raise BadRequest(f"metadata of {record['id']} exceeds 40960 bytes")
            bad = [k for k, v in metadata.items() if not _value_ok(v)]
            if bad:
                raise BadRequest(f"metadata values must be string, number, bool or [str]: {bad}")
            stored = {k: _as_stored(v) for k, v in metadata.items()}
            space[record["id"]] = {"id": record["id"], "values": record["values"], "md": stored}
        return {"upsertedCount": len(vectors)}

    def query(self, body: dict[str, Any]) -> dict[str, Any]:
        top_k, vector = body.get("topK"), body.get("vector")
        if not isinstance(top_k, int) or not 1 <= top_k <= 10_000:
            raise BadRequest("topK must be in 1..10000")
        if not isinstance(vector, list) or len(vector) != self.dim:
            raise BadRequest("query vector of the wrong dimension")
        namespace = body.get("namespace", "")
        flt = body.get("filter")
        if flt is not None:
            matches({}, flt)  # validates the syntax even when nothing is stored
        scored = [
            (self._score(vector, rec["values"]), rec)
            for rec in self.namespaces.get(namespace, {}).values()
            if flt is None or matches(rec["md"], flt)
        ]
        scored.sort(key=lambda pair: -pair[0])
        return {
            "matches": [
                {"id": rec["id"], "score": score, "values": [], "metadata": rec["md"]}
                if body.get("includeMetadata")
                else {"id": rec["id"], "score": score, "values": []}
                for score, rec in scored[:top_k]
            ],
            "namespace": namespace,
        }

    def _score(self, a: list[float], b: list[float]) -> float:
        dot = sum(x * y for x, y in zip(a, b, strict=True))
        if self.metric == "dotproduct":
            return dot
        norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
        return dot / norm if norm else 0.0

    def fetch(self, query: dict[str, list[str]]) -> dict[str, Any]:
        namespace = query.get("namespace", [""])[0]
        space = self.namespaces.get(namespace, {})
        return {
            "vectors": {
                i: {"id": i, "values": space[i]["values"], "metadata": space[i]["md"]}
                for i in query.get("ids", [])
                if i in space
            },
            "namespace": namespace,
        }

    def delete(self, body: dict[str, Any]) -> dict[str, Any]:
        space = self.namespaces.get(body.get("namespace", ""), {})
        if body.get("deleteAll"):
            space.clear()
        for i in body.get("ids", []):
            space.pop(i, None)
        if "filter" in body:
            matches({}, body["filter"])
            for i in [i for i, rec in space.items() if matches(rec["md"], body["filter"])]:
                del space[i]
        return {}

    def describe_index_stats(self, body: dict[str, Any]) -> dict[str, Any]:
        counts = {ns: len(space) for ns, space in self.namespaces.items() if space}
        return {
            "namespaces": {ns: {"vectorCount": n} for ns, n in counts.items()},
            "dimension": self.dim,
            "indexFullness": 0.0,
            "totalVectorCount": sum(counts.values()),
            "metric": self.metric,
        }

    # -- HTTP -----------------------------------------------------------------------------
    def serve(self) -> tuple[ThreadingHTTPServer, str]:
        """Start serving on 127.0.0.1 (a free port) in a daemon thread; returns (server, url)."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep pytest output clean
                pass

            def _answer(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method: str) -> None:
                url = urlsplit(self.path)
                headers = {k.lower(): v for k, v in self.headers.items()}
                if method == "GET":
                    body: Any = parse_qs(url.query)
                else:
                    length = int(self.headers.get("Content-Length") or 0)
                    body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append(Recorded(method, url.path, headers, body))
                if headers.get("api-key") != fake.api_key:
                    return self._answer(401, {"code": 16, "message": "Invalid API Key"})
                routes = {
                    ("POST", "/vectors/upsert"): fake.upsert,
                    ("POST", "/query"): fake.query,
                    ("GET", "/vectors/fetch"): fake.fetch,
                    ("POST", "/vectors/delete"): fake.delete,
                    ("POST", "/describe_index_stats"): fake.describe_index_stats,
                }
                route = routes.get((method, url.path))
                if route is None:
                    return self._answer(404, {"code": 5, "message": f"no route {url.path}"})
                try:
                    self._answer(200, route(body))
                except BadRequest as err:
                    self._answer(400, {"code": 3, "message": str(err)})

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                self._handle("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._handle("POST")

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server, f"http://127.0.0.1:{server.server_address[1]}"

    def bodies(self, path: str) -> list[Any]:
        """The recorded bodies of the requests to ``path``, oldest first."""
        return [r.body for r in self.requests if r.path == path]
