import openai
from fastapi import APIRouter, HTTPException, status

from app.api.deps import LLMDep, SettingsDep
from app.core.llm import describe_error

router = APIRouter(tags=["models"])


@router.get("/models")
async def list_models(llm: LLMDep, settings: SettingsDep) -> dict:
    """The upstream's models (GET {LLM_BASE_URL}/models), the one used when the client names none,
    and the longest message the user may send (the composer counts against it)."""
    try:
        page = await llm.models.list()
    except openai.APIError as exc:
        raise HTTPException(status.HTTP_502_BAD_GATEWAY, describe_error(exc, settings)) from exc
    ids = [model.id for model in page.data]
    return {
        "models": [{"id": i} for i in ids],
        "default": settings.LLM_MODEL or (ids[0] if ids else ""),
        "max_message_chars": settings.MAX_MESSAGE_CHARS,
    }
