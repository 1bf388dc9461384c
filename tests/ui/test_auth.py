"""Logins: scrypt hashes, the user list from settings, proxy headers, refusing open servers."""

from __future__ import annotations

import pytest

from core.settings import SettingsError, load_settings
from ui import auth
from ui.auth import Logins, hash_password, logins_from_settings, parse_users, verify_password
from ui.server import check_logins


def test_hash_round_trip_and_salting() -> None:
    first, second = hash_password("s3cret pass"), hash_password("s3cret pass")
    assert first != second  # random salts
    assert first.startswith("scrypt:32768:8:1:") and "$" not in first
    assert verify_password("s3cret pass", first) and verify_password("s3cret pass", second)
    assert not verify_password("s3cret pasS", first)
    assert hash_password("x", salt=b"0123456789abcdef") == hash_password(
        "x", salt=b"0123456789abcdef"
    )


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "bcrypt:1:2:3:abc:def",
        "scrypt:1000:8:1:AAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA",
        "scrypt:x:8:1:a:b",
    ],
)
def test_malformed_hashes_are_rejected(bad: str) -> None:
    with pytest.raises(ValueError):
        verify_password("pw", bad)


def test_empty_password_cannot_be_hashed() -> None:
    with pytest.raises(ValueError, match="empty"):
        hash_password("")


def test_users_from_settings() -> None:
    ana, bob = hash_password("ana-pw"), hash_password("bob-pw")
    logins = logins_from_settings(load_settings(ui_users=f" ana:{ana} , bob:{bob},"))
    assert dict(logins.users) == {"ana": ana, "bob": bob}
    assert logins.check("ana", "ana-pw") and logins.check("bob", "bob-pw")
    assert not logins.check("ana", "bob-pw")
    assert not logins.check("nobody", "ana-pw")
    assert logins.enabled and logins.header is None


def test_unknown_user_costs_as_much_as_a_wrong_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """An unknown name still runs one scrypt check (against a decoy hash), so the answer's
    timing does not tell which names exist."""
    logins = Logins(users={"ana": hash_password("ana-pw")})
    checked: list[str] = []
    real = auth.verify_password
    monkeypatch.setattr(
        auth, "verify_password", lambda pw, encoded: checked.append(encoded) or real(pw, encoded)
    )
    assert not logins.check("ana", "wrong")
    assert not logins.check("mallory", "wrong")
    assert len(checked) == 2 and checked[1] == auth._DECOY != checked[0]


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("ana", "expected name:HASH"),
        ("ana:plaintext", "not a scrypt hash"),
        ("a na:scrypt:1", "expected name:HASH"),
    ],
)
def test_bad_user_lists_are_configuration_errors(spec: str, problem: str) -> None:
    with pytest.raises(SettingsError, match=problem) as err:
        logins_from_settings(load_settings(ui_users=spec))
    assert str(err.value).startswith("SIGNALDESK_UI_USERS: ")
    assert "plaintext" not in str(err.value)  # what was typed as a hash is never echoed


def test_duplicate_users_are_rejected() -> None:
    entry = f"ana:{hash_password('pw')}"
    with pytest.raises(ValueError, match="twice"):
        parse_users(f"{entry},{entry}")


def test_header_logins() -> None:
    logins = logins_from_settings(load_settings(ui_header_auth="X-Forwarded-User"))
    assert logins.enabled and not logins.users
    assert logins.from_headers({"X-Forwarded-User": " ana@example.com "}) == "ana@example.com"
    assert logins.from_headers({"X-Forwarded-User": ""}) is None
    assert logins.from_headers({"X-Forwarded-User": "<script>"}) is None
    assert logins.from_headers({}) is None
    assert Logins(users={}).from_headers({"X-Forwarded-User": "ana"}) is None


def test_open_chat_refused_in_prod_and_off_loopback() -> None:
    none = Logins(users={})
    check_logins(load_settings(profile="dev"), none, host="127.0.0.1")  # local dev: allowed
    check_logins(load_settings(profile="dev"), none, host="localhost")
    with pytest.raises(SettingsError, match="prod"):
        check_logins(load_settings(profile="prod"), none, host="127.0.0.1")
    with pytest.raises(SettingsError, match="0.0.0.0"):
        check_logins(load_settings(profile="dev"), none, host="0.0.0.0")
    users = Logins(users={"ana": hash_password("pw")})
    check_logins(load_settings(profile="prod"), users, host="0.0.0.0")
    header = Logins(users={}, header="X-User")
    check_logins(load_settings(profile="prod", ui_trusted_proxies="10.0.0.5"), header, host="::")
    check_logins(load_settings(profile="prod"), header, host="127.0.0.1")  # proxy on this host


def test_header_logins_off_loopback_need_trusted_proxies() -> None:
    header = Logins(users={}, header="X-Forwarded-User")
    with pytest.raises(SettingsError) as err:
        check_logins(load_settings(profile="prod"), header, host="0.0.0.0")
    assert str(err.value) == (
        "proxy header logins (SIGNALDESK_UI_HEADER_AUTH) on 0.0.0.0: set "
        "SIGNALDESK_UI_TRUSTED_PROXIES to the proxy's address, or anyone could send the header"
    )


def test_login_settings_are_masked() -> None:
    secret = hash_password("pw")
    settings = load_settings(ui_users=f"ana:{secret}", ui_auth_secret="tok-en-secret")
    shown = settings.public_dict()
    assert shown["ui_users"] == "**********" and shown["ui_auth_secret"] == "**********"
    assert f"ana:{secret}" in settings.secrets() and "tok-en-secret" in settings.secrets()
