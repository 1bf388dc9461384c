"""Chainlit persistence pieces (imports Chainlit: load only once its folder is set).

- ``LocalStorage``: element payloads (charts, citations, uploads) of saved threads on local
  disk. Chainlit's SQLAlchemy data layer keeps an element's row in the database and its content
  in a ``BaseStorageClient``; without one, resumed threads lose their charts and citations.
  Files live under ``{home}/ui/files`` and are served at ``/signaldesk/files/{key}`` to the
  user who owns them (Chainlit names keys ``{user id}/{element id}/{name}``).
- ``ChatDataLayer``: Chainlit's SQLAlchemy layer, reading element props back as JSON (they come
  back as text from its SQL, and custom elements need an object), and refusing feedback and
  element writes on threads the acting user (``ui.ownership``) does not own.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from chainlit.data.sql_alchemy import SQLAlchemyDataLayer
from chainlit.data.storage_clients.base import BaseStorageClient
from chainlit.types import Feedback, ThreadDict

from ui.ownership import OwnershipError, acting_user

__all__ = ["FILES_ROUTE", "ChatDataLayer", "LocalStorage", "StorageKeyError"]

FILES_ROUTE = "/signaldesk/files"


class StorageKeyError(ValueError):
    """An object key that would leave the storage folder."""


class LocalStorage(BaseStorageClient):
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def path_of(self, object_key: str) -> Path:
        """The file of ``object_key``; ``StorageKeyError`` for keys that escape the folder."""
        parts = object_key.split("/")
        if not object_key or any(p in ("", ".", "..") or "\\" in p for p in parts):
            raise StorageKeyError(f"bad object key {object_key!r}")
        path = (self.root / object_key).resolve()
        if not path.is_relative_to(self.root):
            raise StorageKeyError(f"bad object key {object_key!r}")
        return path

    def url_of(self, object_key: str) -> str:
        return f"{FILES_ROUTE}/{quote(object_key)}"

    async def upload_file(
        self,
        object_key: str,
        data: bytes | str,
        mime: str = "application/octet-stream",
        overwrite: bool = True,
        content_disposition: str | None = None,
    ) -> dict[str, Any]:
        path = self.path_of(object_key)
        raw = data.encode("utf-8") if isinstance(data, str) else data
        await asyncio.to_thread(_write, path, raw, mime, overwrite)
        return {"object_key": object_key, "url": self.url_of(object_key)}

    async def delete_file(self, object_key: str) -> bool:
        path = self.path_of(object_key)
        return await asyncio.to_thread(_unlink, path)

    async def get_read_url(self, object_key: str) -> str:
        return self.url_of(object_key)

    async def close(self) -> None:
        return None

    @staticmethod
    def media_type(path: Path) -> str:
        """The MIME type the element was stored with (else guessed from its name)."""
        try:
            return _mime_file(path).read_text(encoding="ascii").strip()
        except OSError:
            return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def _mime_file(path: Path) -> Path:
    return path.with_name(path.name + ".mime")


def _write_private(path: Path, raw: bytes) -> None:
    """``raw`` into ``path``, created 0600 (chat history is its user's only)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(raw)


def _write(path: Path, raw: bytes, mime: str, overwrite: bool) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.exists() and not overwrite:
        return
    tmp = path.with_name(path.name + ".part")
    _write_private(tmp, raw)
    tmp.replace(path)
    _write_private(_mime_file(path), mime.encode("ascii", "replace"))


def _unlink(path: Path) -> bool:
    _mime_file(path).unlink(missing_ok=True)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


class ChatDataLayer(SQLAlchemyDataLayer):
    """Chainlit's SQLAlchemy data layer with ownership checks; ``forget(chat_id)`` (blocking,
    run in a worker thread) deletes what else a deleted chat left, its agent threads."""

    def __init__(self, *args: Any, forget: Callable[[str], object] | None = None, **kw: Any):
        super().__init__(*args, **kw)
        self.forget = forget

    async def delete_thread(self, thread_id: str) -> None:
        await super().delete_thread(thread_id)
        if self.forget is not None:
            await asyncio.to_thread(self.forget, thread_id)

    async def _one(self, query: str, key: str, value: str | None) -> Any:
        """Column ``key`` of the first row ``query`` finds for ``:id`` = ``value``, else None."""
        if not value:
            return None
        rows = await self.execute_sql(query=query, parameters={"id": value})
        return rows[0].get(key) if isinstance(rows, list) and rows else None

    async def _step_thread(self, step_id: str | None) -> str | None:
        return await self._one('SELECT "threadId" FROM steps WHERE "id" = :id', "threadId", step_id)

    async def _require_owner(self, thread_id: str | None, what: str) -> str:
        """``thread_id`` when the acting user owns it; ``OwnershipError`` otherwise."""
        author = await self._one(
            'SELECT "userIdentifier" FROM threads WHERE "id" = :id', "userIdentifier", thread_id
        )
        if thread_id is None or author != acting_user():
            raise OwnershipError(f"{what} is not in one of your chats")
        return thread_id

    async def get_thread_author(self, thread_id: str) -> str:
        """The thread's author, "" for an unknown thread (Chainlit then answers 404, not 500)."""
        author = await self._one(
            'SELECT "userIdentifier" FROM threads WHERE "id" = :id', "userIdentifier", thread_id
        )
        return str(author or "")

    async def check_feedback(self, feedback: Feedback) -> None:
        """``OwnershipError`` unless the message and any feedback it replaces are the acting
        user's; sets the feedback's thread from the message (never the client's)."""
        what = f"message {feedback.forId}"
        feedback.threadId = await self._require_owner(await self._step_thread(feedback.forId), what)
        query = 'SELECT "forId" FROM feedbacks WHERE "id" = :id'
        replaced = await self._one(query, "forId", feedback.id)
        if replaced is not None and replaced != feedback.forId:
            raise OwnershipError(f"feedback {feedback.id} is about another message")

    async def upsert_feedback(self, feedback: Feedback) -> str:
        await self.check_feedback(feedback)
        return await super().upsert_feedback(feedback)

    async def delete_feedback(self, feedback_id: str) -> bool:
        query = 'SELECT "forId" FROM feedbacks WHERE "id" = :id'
        if (for_id := await self._one(query, "forId", feedback_id)) is None:
            return False
        await self._require_owner(await self._step_thread(for_id), f"feedback {feedback_id}")
        return await super().delete_feedback(feedback_id)

    async def _element_thread(self, element_id: str) -> str | None:
        query = 'SELECT "threadId" FROM elements WHERE "id" = :id'
        return await self._one(query, "threadId", element_id)

    async def check_element(self, element_id: str, thread_id: str | None) -> None:
        """``OwnershipError`` when the stored element ``element_id`` is in another thread than
        ``thread_id`` (when given) or in a thread the acting user does not own."""
        stored = await self._element_thread(element_id)
        if stored is None:
            return
        if thread_id is not None and stored != thread_id:
            raise OwnershipError(f"element {element_id} belongs to another chat")
        await self._require_owner(stored, f"element {element_id}")

    async def create_element(self, element: Any) -> None:
        """Refuses to overwrite an element of another thread or of another user's thread."""
        await self.check_element(element.id, element.thread_id)
        await super().create_element(element)

    async def delete_element(self, element_id: str, thread_id: str | None = None) -> None:
        await self.check_element(element_id, thread_id)
        await super().delete_element(element_id, thread_id)

    async def get_all_user_threads(
        self, user_id: str | None = None, thread_id: str | None = None
    ) -> list[ThreadDict] | None:
        threads = await super().get_all_user_threads(user_id=user_id, thread_id=thread_id)
        for thread in threads or []:
            for element in thread.get("elements") or []:
                props = element.get("props")
                if isinstance(props, str):
                    element["props"] = json.loads(props or "{}")
        return threads
