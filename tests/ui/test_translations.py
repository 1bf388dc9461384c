"""Chainlit's login page in SignalDesk's words: the overrides merged into every language
Chainlit ships, written where ``signaldesk ui`` points Chainlit."""

from __future__ import annotations

import json
from pathlib import Path

from core.settings import load_settings
from ui.server import prepare_app_root
from ui.translations import OVERRIDES, chainlit_translations, merge, write_translations


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_merge_lays_overrides_over_nested_texts() -> None:
    base = {"auth": {"login": {"title": "Login", "form": {"email": {"label": "Email address"}}}}}
    over = {"auth": {"login": {"form": {"email": {"label": "User name"}}}}, "new": "x"}
    assert merge(base, over) == {
        "auth": {"login": {"title": "Login", "form": {"email": {"label": "User name"}}}},
        "new": "x",
    }
    assert base["auth"]["login"]["form"]["email"]["label"] == "Email address"  # not changed


def test_every_language_gets_its_own_overrides_or_the_english_ones(tmp_path: Path) -> None:
    bundled, overrides, out = tmp_path / "bundled", tmp_path / "over", tmp_path / "out"
    bundled.mkdir()
    overrides.mkdir()
    for lang, label in [("en-US", "Email address"), ("fr-FR", "Adresse e-mail"), ("de", "E-Mail")]:
        texts = {"auth": {"login": {"title": lang, "form": {"email": {"label": label}}}}}
        (bundled / f"{lang}.json").write_text(json.dumps(texts), encoding="utf-8")
    english = {"auth": {"login": {"form": {"email": {"label": "User name"}}}}}
    french = {"auth": {"login": {"form": {"email": {"label": "Nom d'utilisateur"}}}}}
    (overrides / "en-US.json").write_text(json.dumps(english), encoding="utf-8")
    (overrides / "fr-FR.json").write_text(json.dumps(french), encoding="utf-8")
    written = write_translations(out, bundled=bundled, overrides=overrides)
    assert [p.name for p in written] == ["de.json", "en-US.json", "fr-FR.json"]
    labels = {p.stem: _read(p)["auth"]["login"]["form"]["email"]["label"] for p in written}
    assert labels == {"de": "User name", "en-US": "User name", "fr-FR": "Nom d'utilisateur"}
    assert _read(out / "de.json")["auth"]["login"]["title"] == "de"  # the rest kept


def test_the_app_root_has_the_login_page_in_signaldesks_words(tmp_path: Path) -> None:
    root = prepare_app_root(load_settings(home=tmp_path / "home", sources=["bundled"]))
    folder = root / ".chainlit" / "translations"
    shipped = sorted(p.name for p in chainlit_translations().glob("*.json"))
    assert sorted(p.name for p in folder.glob("*.json")) == shipped and "en-US.json" in shipped
    login = _read(folder / "en-US.json")["auth"]["login"]
    assert login["form"]["email"]["label"] == "User name"
    # the page looks the error up by the status text, as given, then lowercased
    assert login["errors"]["unauthorized"] == "Wrong user name or password."
    assert login["errors"]["too many requests"].startswith("Too many failed logins")
    assert (
        login["form"]["password"]["label"]
        == _read(chainlit_translations() / "en-US.json")["auth"]["login"]["form"]["password"][
            "label"
        ]
    )  # Chainlit's own text where we say nothing
    assert set(_read(OVERRIDES / "en-US.json")) == {"auth"}
