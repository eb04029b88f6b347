from fastapi import APIRouter

from app.api.deps import SettingsDep

router = APIRouter(tags=["health"])


@router.get("/health")
def health(settings: SettingsDep) -> dict:
    return {"status": "ok", "provider": settings.LLM_PROVIDER, "llm_base_url": settings.llm_base_url}
