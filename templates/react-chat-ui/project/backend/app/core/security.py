"""Who is asking: a signed guest-session cookie, until you add real login.

Every visitor gets a random guest id in an HttpOnly cookie signed with SESSION_SECRET (HMAC-SHA256),
like the Vercel chatbot's guest users. Conversations belong to that id (app/api/deps.py
`current_user`). A cookie that is missing or fails its signature starts a new guest.
"""

import hashlib
import hmac
import secrets
import uuid
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "chat_session"
MAX_AGE = 365 * 24 * 3600


def load_secret(secret: str, path: Path) -> bytes:
    """SESSION_SECRET, or one generated once and kept in `path` (so a restart keeps everyone's chats)."""
    if secret:
        return secret.encode()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip().encode()


def sign(user_id: str, secret: bytes) -> str:
    return f"{user_id}.{hmac.new(secret, user_id.encode(), hashlib.sha256).hexdigest()}"


def verify(cookie: str, secret: bytes) -> str | None:
    """The user id in a cookie we signed, else None."""
    user_id, _, _ = cookie.rpartition(".")
    return user_id if user_id and hmac.compare_digest(sign(user_id, secret), cookie) else None


class GuestSessionMiddleware:
    """Puts the caller's user id in `request.state.user_id`; sets the cookie for a new guest."""

    def __init__(self, app: ASGIApp, secret: bytes) -> None:
        self.app, self.secret = app, secret

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        cookie = next((v for k, v in scope["headers"] if k == b"cookie"), b"").decode("latin-1")
        user_id = verify(cookie_parser(cookie).get(COOKIE, ""), self.secret) if cookie else None
        new_cookie = None
        if user_id is None:
            user_id = f"guest-{uuid.uuid4().hex}"
            secure = "; Secure" if scope.get("scheme") == "https" else ""
            new_cookie = f"{COOKIE}={sign(user_id, self.secret)}; Path=/; Max-Age={MAX_AGE}; HttpOnly; SameSite=Lax{secure}"
        scope.setdefault("state", {})["user_id"] = user_id
        if new_cookie is None:
            return await self.app(scope, receive, send)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("set-cookie", new_cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookie)
