"""The FastAPI app: /api routes, and the built front end at / when FRONTEND_DIST exists."""

import logging
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from app.api.main import api_router
from app.core.config import PROJECT_ROOT, Settings, get_settings, retired_settings
from app.core.db import count_unowned, make_engine, write_slots
from app.core.llm import make_client, ollama_version
from app.core.local_llm import LocalModelServer
from app.core.retriever import open_retriever
from app.core.security import GuestSessionMiddleware, load_secret

log = logging.getLogger("app")


@asynccontextmanager
async def lifespan(app: FastAPI):
    settings = get_settings()
    for line in retired_settings(Settings.model_config["env_file"]):
        log.warning(line)
    local_server = None
    if settings.LLM_PROVIDER == "local" and not settings.LLM_BASE_URL:
        local_server = LocalModelServer(
            settings.LOCAL_MODEL_DIR, settings.LOCAL_LLM_PORT, settings.LOCAL_LLM_THREADS
        )
        local_server.start()
    elif settings.LLM_PROVIDER == "ollama" and not settings.LLM_BASE_URL:
        version = await ollama_version(settings)
        if version is None:
            log.warning(
                "No Ollama answers at %s (OLLAMA_HOST); start it with `ollama serve`.", settings.ollama_url
            )
    app.state.engine = make_engine(settings)
    app.state.unowned = count_unowned(app.state.engine)
    if app.state.unowned:
        log.warning(
            "%d conversations from before guest sessions belong to no one yet: the first browser that "
            "opens the app on this machine (127.0.0.1) takes them.",
            app.state.unowned,
        )
    # Chat history writes take turns (app/api/routes/chat.py): SQLite has one writer at a time anyway.
    app.state.db_writes = anyio.CapacityLimiter(write_slots(app.state.engine))
    app.state.llm = make_client(settings)
    # The documents the chat answers from (RAG_DIR; none by default): app/core/retriever.py.
    app.state.retriever = await anyio.to_thread.run_sync(
        open_retriever, settings.RAG_DIR, settings.RAG_ENV_FILE
    )
    try:
        yield
    finally:
        await app.state.llm.close()
        app.state.retriever.close()
        app.state.engine.dispose()
        if local_server:
            local_server.stop()


def create_app() -> FastAPI:
    settings = get_settings()
    app = FastAPI(title="Chat API", lifespan=lifespan)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.CORS_ORIGINS,
        allow_methods=["GET", "POST", "PATCH", "DELETE"],
        allow_headers=["content-type"],
    )
    # Conversations belong to a guest session (a signed cookie) until you add login: app/api/deps.py.
    app.add_middleware(
        GuestSessionMiddleware,
        secret=load_secret(settings.SESSION_SECRET, PROJECT_ROOT / "data" / "session-secret"),
    )
    app.include_router(api_router)
    if settings.FRONTEND_DIST.is_dir():
        app.mount("/", StaticFiles(directory=settings.FRONTEND_DIST, html=True), name="frontend")
    return app


app = create_app()
