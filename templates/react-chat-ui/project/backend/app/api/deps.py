import logging
from collections.abc import Iterator
from typing import Annotated

import aiohttp
from fastapi import Depends, HTTPException, Request, status
from sqlmodel import Session

from app import crud
from app.core.config import Settings, get_settings

log = logging.getLogger("app")
# Where the person at this machine's own browser comes from (directly, or through the Vite dev server).
LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine) as session:
        yield session


def get_llm(request: Request) -> aiohttp.ClientSession:
    return request.app.state.llm


def current_user(request: Request) -> str:
    """The id of the user making the request; every conversation belongs to one.

    Today it is the guest id from the signed session cookie (app/core/security.py). Real login
    plugs in here: return the id your auth verified (an OAuth/OIDC session, a JWT's `sub`), and
    raise 401 when there is none. Nothing else changes: routes and queries take the id from here.
    """
    user_id = getattr(request.state, "user_id", None)
    if not user_id:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Not signed in.")
    if getattr(request.app.state, "unowned", 0) and request.client and request.client.host in LOOPBACK:
        claim_unowned(request, user_id)
    return user_id


def claim_unowned(request: Request, user_id: str) -> None:
    """Conversations from before guest sessions (0.1.0 showed every conversation to everyone) go to
    the first browser on this machine: the person who had them, on a single-user install. A visitor
    from elsewhere never takes them; set the owner_id column by hand for a shared server."""
    request.app.state.unowned = 0
    with Session(request.app.state.engine) as session:
        claimed = crud.claim_unowned(session=session, owner_id=user_id)
    if claimed:
        log.warning(
            "%d conversations from before guest sessions now belong to this browser (%s).", claimed, user_id
        )


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
LLMDep = Annotated[aiohttp.ClientSession, Depends(get_llm)]
UserDep = Annotated[str, Depends(current_user)]
