from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from openai import AsyncOpenAI
from sqlmodel import Session

from app.core.config import Settings, get_settings


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine) as session:
        yield session


def get_llm(request: Request) -> AsyncOpenAI:
    return request.app.state.llm


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
LLMDep = Annotated[AsyncOpenAI, Depends(get_llm)]
