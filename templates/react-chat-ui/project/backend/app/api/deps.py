from collections.abc import Iterator
from typing import Annotated

import aiohttp
from fastapi import Depends, HTTPException, Request, status
from sqlmodel import Session

from app.core.config import Settings, get_settings


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
    return user_id


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
LLMDep = Annotated[aiohttp.ClientSession, Depends(get_llm)]
UserDep = Annotated[str, Depends(current_user)]
