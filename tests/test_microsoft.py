"""Microsoft 365 sending: XOAUTH2 over STARTTLS against a real server on 127.0.0.1.

MSAL's network call is replaced at its one seam, `microsoft.acquire_token`; its own glue
(the device code shown, the cache kept in the user's profile) is tested with a fake `msal`.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from aiosmtpd.controller import Controller

from lettres import microsoft
from lettres.errors import ConnectionFailed
from lettres.folders import JOURNAL_NAME
from lettres.models import Sending
from lettres.workspace import load_workspace
from tests.helpers import Invoke as Run
from tests.mailing import (
    APPLICATION,
    MicrosoftRecorder,
    addresses,
    configure,
    free_port,
    give_email,
    replace_in,
    self_signed,
    write_letter,
)

USER = "genevieve.colas@secours-catholique.org"
SHARED = "contre.la.traite@secours-catholique.org"  # boite_partagee of the shipped workspace
TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOi.jeton-de-test"


@pytest.fixture
def microsoft_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Controller]:
    """An Exchange-like server: STARTTLS required, then XOAUTH2 required, for USER's TOKEN.

    Its self-signed certificate is trusted the way the system's would be (SSL_CERT_FILE).
    """
    server_context, _ = self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "serveur.crt"))
    handler = MicrosoftRecorder(tokens={USER: TOKEN})
    controller = Controller(
        handler, hostname="127.0.0.1", port=free_port(), tls_context=server_context,
        require_starttls=True, auth_required=True,
    )  # fmt: skip
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def letter(workspace: Path) -> Path:
    give_email(workspace, "interieur", "ministre@interieur.gouv.fr")
    return write_letter(workspace, "interieur")


def token_seam(monkeypatch: pytest.MonkeyPatch, token: str = TOKEN) -> list[Sending]:
    asked: list[Sending] = []

    def acquire_token(settings: Sending, tell: Any) -> str:
        asked.append(settings)
        tell("Connexion à Microsoft 365 : ouvrez https://microsoft.com/devicelogin …")
        return token

    monkeypatch.setattr(microsoft, "acquire_token", acquire_token)
    monkeypatch.delenv("LETTRES_SMTP_PASSWORD", raising=False)
    return asked


def test_microsoft_365_sends_with_an_oauth_token_from_the_shared_mailbox(
    workspace: Path, letter: Path, run: Run, microsoft_server: Controller,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    handler = microsoft_server.handler
    configure(workspace, microsoft_server.port, "oauth2-microsoft", user=USER)
    asked = token_seam(monkeypatch)
    result = run("send", "--no-dry-run", str(letter))
    assert result.exit_code == 0, result.output
    assert "devicelogin" in result.stderr  # what MSAL asks is shown to the user
    assert "Mot de passe" not in result.output  # no password asked
    assert [settings.user for settings in asked] == [USER]
    assert handler.logins == [(USER, TOKEN)]
    [received] = handler.received
    assert (received.tls, received.authenticated) == (True, True)
    message = received.message
    assert addresses(message, "From") == [SHARED]
    assert message["From"].addresses[0].display_name.startswith("Collectif")
    assert addresses(message, "Sender") == [USER]
    assert message["Sender"].addresses[0].display_name == "Geneviève Colas"
    assert received.mail_from == USER  # the envelope is the signed-in user's
    assert (letter / JOURNAL_NAME).is_file()


def test_a_refused_token_sends_nothing(
    workspace: Path, letter: Path, run: Run, microsoft_server: Controller,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    handler = microsoft_server.handler
    configure(workspace, microsoft_server.port, "oauth2-microsoft", user=USER)
    token_seam(monkeypatch, token="perime")
    result = run("send", "--no-dry-run", str(letter))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    message = " ".join(result.stderr.split())
    assert f"Microsoft 365 (127.0.0.1:{microsoft_server.port}) refuse la connexion" in message
    assert f"« {USER} » (535 5.7.3" in message and "rien n'a été envoyé" in message
    assert handler.logins == [(USER, "perime")]
    assert handler.received == [] and not (letter / JOURNAL_NAME).exists()


def test_without_a_shared_mailbox_the_user_sends_as_themself(
    workspace: Path, letter: Path, run: Run, microsoft_server: Controller,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    replace_in(workspace / "modeles" / "collectif.yaml", f"  boite_partagee: {SHARED}\n", "")
    configure(workspace, microsoft_server.port, "oauth2-microsoft", user=USER)
    token_seam(monkeypatch)
    assert run("send", "--no-dry-run", str(letter)).exit_code == 0
    [received] = microsoft_server.handler.received
    assert addresses(received.message, "From") == [USER]
    assert received.message["Sender"] is None


def test_password_smtp_keeps_the_coordinator_as_sender(workspace: Path, letter: Path) -> None:
    """The shared mailbox is Microsoft 365's: another provider sends from the coordinator."""
    from lettres.mail import build

    configure(workspace, 587, "starttls", user=USER)
    message = build(load_workspace(workspace), letter).message
    assert addresses(message, "From") == [USER] and message["Sender"] is None


def test_a_server_without_xoauth2_is_named(
    workspace: Path, letter: Path, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.mailing import Recorder

    server_context, _ = self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "serveur.crt"))
    controller = Controller(Recorder(), hostname="127.0.0.1", port=free_port(),
                            tls_context=server_context, auth_exclude_mechanism=["LOGIN", "PLAIN"])  # fmt: skip
    controller.start()
    try:
        configure(workspace, controller.port, "oauth2-microsoft", user=USER)
        token_seam(monkeypatch)
        result = run("send", "--no-dry-run", str(letter))
    finally:
        controller.stop()
    assert result.exit_code == 1
    assert "ne propose pas la connexion Microsoft 365 (XOAUTH2)" in " ".join(result.stderr.split())


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["securite: oauth2-microsoft"], "demande l'adresse du compte Microsoft 365"),
        (
            ["securite: oauth2-microsoft", f"utilisateur: {USER}"],
            "demande l'identifiant de l'application",
        ),
        (
            ["securite: oauth2-microsoft", f"utilisateur: {USER}", "application: thunderbird"],
            "n'est pas un identifiant d'application Microsoft",
        ),
        (
            ["securite: oauth2-microsoft", f"utilisateur: {USER}", "locataire: a/b"],
            "ne convient pas comme locataire Microsoft",
        ),
    ],
)
def test_microsoft_settings_are_checked(
    workspace: Path, run: Run, lines: list[str], expected: str
) -> None:
    path = workspace / "modeles" / "collectif.yaml"
    with path.open("a", encoding="utf-8") as stream:
        stream.write("\nenvoi:\n  hote: smtp.office365.com\n")
        stream.write("".join(f"  {line}\n" for line in lines))
    result = run("check")
    assert result.exit_code == 1
    assert expected in " ".join(result.stdout.split())
    assert "collectif.yaml:" in result.stdout


def test_microsoft_defaults(workspace: Path) -> None:
    settings = Sending.model_validate(
        {
            "hote": "smtp.office365.com",
            "securite": "oauth2-microsoft",
            "utilisateur": USER,
            "application": APPLICATION,
        }
    )
    assert settings.server_port == 587
    assert settings.tenant == "organizations"


# MSAL's glue, with a fake msal: what the user is told, where the sign-in is kept.


class FakeCache:
    def __init__(self) -> None:
        self.has_state_changed = False
        self.state = ""

    def deserialize(self, text: str) -> None:
        self.state = text

    def serialize(self) -> str:
        return self.state


class FakeApplication:
    """Signs in by device code the first time (when the cache is empty), silently after."""

    created: ClassVar[list[tuple[str, str]]] = []

    def __init__(self, client_id: str, authority: str, token_cache: FakeCache) -> None:
        self.created.append((client_id, authority))
        self.cache = token_cache

    def get_accounts(self, username: str | None = None) -> list[dict[str, str]]:
        return [{"username": USER}] if USER in self.cache.state else []

    def acquire_token_silent(self, scopes: list[str], account: Any) -> dict[str, Any]:
        return {"access_token": "jeton-silencieux"}

    def initiate_device_flow(self, scopes: list[str]) -> dict[str, Any]:
        assert scopes == ["https://outlook.office.com/SMTP.Send"]
        return {"user_code": "ABCD-1234", "verification_uri": "https://microsoft.com/devicelogin",
                "expires_in": 900}  # fmt: skip

    def acquire_token_by_device_flow(self, flow: dict[str, Any]) -> dict[str, Any]:
        self.cache.state, self.cache.has_state_changed = f'{{"compte": "{USER}"}}', True
        return {"access_token": "jeton-neuf", "id_token_claims": {"preferred_username": USER}}


@pytest.fixture
def fake_msal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    module = types.ModuleType("msal")
    module.SerializableTokenCache = FakeCache  # type: ignore[attr-defined]
    module.PublicClientApplication = FakeApplication  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "msal", module)
    FakeApplication.created = []
    profile = tmp_path / "profil" / "lettres" / microsoft.CACHE_NAME
    monkeypatch.setattr(microsoft, "cache_path", lambda: profile)
    return profile


def settings(**more: str) -> Sending:
    return Sending.model_validate(
        {
            "hote": "smtp.office365.com",
            "securite": "oauth2-microsoft",
            "utilisateur": USER,
            "application": APPLICATION,
        }
        | more
    )


def test_the_device_code_is_shown_once_then_the_sign_in_is_remembered(fake_msal: Path) -> None:
    told: list[str] = []
    assert microsoft.acquire_token(settings(), told.append) == "jeton-neuf"
    [text] = told
    assert "ouvrez https://microsoft.com/devicelogin" in text and "le code ABCD-1234" in text
    assert f"avec le compte {USER}" in text and "au plus 15 minutes" in text
    assert fake_msal.read_text(encoding="utf-8") == f'{{"compte": "{USER}"}}'
    assert fake_msal.stat().st_mode & 0o077 == 0  # the refresh token is the user's alone
    assert fake_msal.parent.stat().st_mode & 0o077 == 0
    assert microsoft.acquire_token(settings(), told.append) == "jeton-silencieux"
    assert len(told) == 1
    assert FakeApplication.created[0] == (
        APPLICATION,
        "https://login.microsoftonline.com/organizations",
    )


def test_the_cache_lives_in_the_users_profile_never_in_the_workspace(workspace: Path) -> None:
    path = microsoft.cache_path()
    assert not path.resolve().is_relative_to(workspace.resolve())
    assert path.parent.name == "lettres" and path.name == microsoft.CACHE_NAME


def test_an_other_account_or_a_refusal_is_said(
    fake_msal: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = {"access_token": "x", "id_token_claims": {"preferred_username": "autre@exemple.org"}}
    monkeypatch.setattr(FakeApplication, "acquire_token_by_device_flow", lambda self, flow: other)
    with pytest.raises(ConnectionFailed, match=r"comme autre@exemple\.org, et non comme"):
        microsoft.acquire_token(settings(), lambda text: None)
    refused = {"error": "invalid_client", "error_description": "AADSTS700016: app not found\nx"}
    monkeypatch.setattr(FakeApplication, "acquire_token_by_device_flow", lambda self, f: refused)
    with pytest.raises(ConnectionFailed, match="AADSTS700016: app not found\\) : votre service"):
        microsoft.acquire_token(settings(locataire="secours-catholique.org"), lambda text: None)
    assert FakeApplication.created[-1][1].endswith("/secours-catholique.org")
    assert not fake_msal.exists()


def test_no_network_to_microsoft_is_said(fake_msal: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def unreachable(self: FakeApplication, *args: Any, **kwargs: Any) -> None:
        raise ConnectionError("Max retries exceeded with url: /organizations/v2.0/…")

    monkeypatch.setattr(FakeApplication, "__init__", unreachable)
    with pytest.raises(ConnectionFailed) as error:
        microsoft.acquire_token(settings(), lambda text: None)
    text = str(error.value)
    assert "login.microsoftonline.com ne répond pas" in text and "Max retries" not in text
    assert "vérifiez la connexion à Internet" in text and "rien n'a été envoyé" in text
