from fastapi import APIRouter, HTTPException, Request, status
from starlette.concurrency import run_in_threadpool

from app.api.deps import LLMDep, SettingsDep
from app.core.llm import UpstreamError, list_models

router = APIRouter(tags=["models"])


@router.get("/models")
async def get_models(llm: LLMDep, settings: SettingsDep, request: Request) -> dict:
    """The upstream's models (GET {LLM_BASE_URL}/models), the one used when the client names none,
    and the longest message the user may send (the composer counts against it);
    `docs`, with documents (RAG_DIR): how many the chat answers from (0: the UI says to run
    `make ingest`)."""
    try:
        ids = await list_models(llm, settings)
    except UpstreamError as exc:
        raise HTTPException(status.HTTP_502_BAD_GATEWAY, str(exc)) from exc
    models = {
        "models": [{"id": i} for i in ids],
        "default": settings.LLM_MODEL or (ids[0] if ids else ""),
        "max_message_chars": settings.MAX_MESSAGE_CHARS,
    }
    docs = await run_in_threadpool(request.app.state.retriever.status)
    return models if docs is None else {**models, "docs": docs}
