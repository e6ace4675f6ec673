"""Microsoft 365's sign-in for `lettres send`: an OAuth token from MSAL's device-code flow.

Exchange Online no longer takes a password over SMTP, only a token. The user signs in once,
in any browser, with a code that lettres shows: no redirect, no local web server, so it works
on a locked-down office PC. MSAL keeps the tokens in the user's profile, never in the
workspace (which is shared on a drive or on OneDrive): later sends sign in without a word
while the refresh token lasts. `msal` is imported here only, when such a send is made.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lettres.errors import ConnectionFailed
from lettres.files import write_text_atomic
from lettres.folders import SENDER_FILE
from lettres.models import Sending

if TYPE_CHECKING:
    import msal

SCOPES = ["https://outlook.office.com/SMTP.Send"]
AUTHORITY_HOST = "login.microsoftonline.com"
CACHE_NAME = "jetons-microsoft.json"
Tell = Callable[[str], None]


def cache_path() -> Path:
    """In the user's own data folder (%LOCALAPPDATA%\\lettres on Windows)."""
    from platformdirs import user_data_path

    return user_data_path("lettres", appauthor=False) / CACHE_NAME


def acquire_token(settings: Sending, tell: Tell) -> str:
    """A token to send as `settings.user`: from the cache if it still holds one, else by
    asking the user, through `tell`, to sign in in a browser with a one-time code."""
    import msal

    path = cache_path()
    cache = load_cache(path)
    try:
        app = msal.PublicClientApplication(
            settings.application,
            authority=f"https://{AUTHORITY_HOST}/{settings.tenant}",
            token_cache=cache,
        )
        result = silently(app, settings) or by_device_code(app, settings, tell)
    except (OSError, ValueError) as error:  # requests' errors are OSErrors
        detail = f"{AUTHORITY_HOST} ne répond pas" if isinstance(error, OSError) else str(error)
        raise ConnectionFailed(
            f"connexion à Microsoft impossible ({detail}) : vérifiez la connexion à Internet, "
            f"et « locataire » dans la section envoi de {SENDER_FILE} ; rien n'a été envoyé."
        ) from None
    token = token_of(result, settings)
    if cache.has_state_changed:
        save_cache(cache, path)
    return token


def load_cache(path: Path) -> msal.SerializableTokenCache:
    import msal

    cache = msal.SerializableTokenCache()
    with contextlib.suppress(OSError, ValueError):  # none yet, or damaged: sign in again
        cache.deserialize(path.read_text(encoding="utf-8"))
    return cache


def save_cache(cache: msal.SerializableTokenCache, path: Path) -> None:
    """Written for the user's eyes only, in a folder of theirs alone: it holds a refresh token."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_text_atomic(path, cache.serialize())
    os.chmod(path, 0o600)


def silently(app: msal.PublicClientApplication, settings: Sending) -> dict[str, Any] | None:
    accounts = app.get_accounts(username=settings.user)
    if not accounts:
        return None
    result = app.acquire_token_silent(SCOPES, account=accounts[0])
    return result if result and "access_token" in result else None


def by_device_code(
    app: msal.PublicClientApplication, settings: Sending, tell: Tell
) -> dict[str, Any]:
    flow = app.initiate_device_flow(scopes=SCOPES)
    if "user_code" not in flow:
        return dict(flow)
    minutes = max(1, int(flow.get("expires_in", 900)) // 60)
    tell(
        f"Connexion à Microsoft 365 : ouvrez {flow['verification_uri']} dans un navigateur, "
        f"saisissez le code {flow['user_code']} et connectez-vous avec le compte "
        f"{settings.user}. lettres attend (au plus {minutes} minutes) ; cette connexion est "
        "retenue pour les prochains envois."
    )
    return dict(app.acquire_token_by_device_flow(flow))


def token_of(result: dict[str, Any], settings: Sending) -> str:
    if "access_token" not in result:
        raise ConnectionFailed(f"{refusal(result, settings)} ; rien n'a été envoyé.")
    who = (result.get("id_token_claims") or {}).get("preferred_username")
    if who and settings.user and who.lower() != settings.user.lower():
        raise ConnectionFailed(
            f"vous vous êtes connecté à Microsoft comme {who}, et non comme {settings.user} "
            f"(utilisateur de la section envoi de {SENDER_FILE}) : relancez et connectez-vous "
            "avec ce compte ; rien n'a été envoyé."
        )
    return str(result["access_token"])


def refusal(result: dict[str, Any], settings: Sending) -> str:
    error = str(result.get("error", ""))
    detail = str(result.get("error_description") or error or json.dumps(result)).splitlines()[0]
    if error == "authorization_declined":
        return "la connexion à Microsoft a été refusée dans le navigateur"
    if error in ("expired_token", "code_expired"):
        return "le code de connexion a expiré avant d'être saisi : relancez la commande"
    return (
        f"Microsoft refuse la connexion de {settings.user} ({detail}) : votre service "
        f"informatique doit peut-être autoriser l'application {settings.application}, ou vous "
        f"en donner une autre à indiquer dans « application » ({SENDER_FILE})"
    )
