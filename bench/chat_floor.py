"""The least a Python chat backend can do, for bench/chat_stream.py: the floor under the backend.

POST /api/chat forwards the last user message to the upstream and streams its tokens back as AI SDK
text-deltas, one per upstream chunk: aiohttp to the upstream, a plain Starlette StreamingResponse
to the client. No validation, no session cookie, no database, no ownership, no heartbeats, no
error handling. The generated backend does all of those; this shows what they cost under load.
Run by bench/chat_stream.py with the generated project's backend venv (Starlette, uvicorn, aiohttp):

    LLM_BASE_URL=http://127.0.0.1:8601/v1 backend/.venv/bin/uvicorn chat_floor:app --app-dir bench
"""

import os

import aiohttp
from pydantic_core import from_json, to_json
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

UPSTREAM = os.environ["LLM_BASE_URL"]
MODEL = os.environ.get("LLM_MODEL", "scripted")
pool: list[aiohttp.ClientSession] = []  # one session (one connection pool), made on first use


async def health(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def chat(request: Request) -> StreamingResponse:
    if not pool:
        pool.append(aiohttp.ClientSession())
    session = pool[0]
    body = from_json(await request.body())
    text = "".join(part.get("text", "") for part in body["messages"][-1]["parts"])
    upstream = await session.post(
        f"{UPSTREAM}/chat/completions",
        json={"model": MODEL, "stream": True, "messages": [{"role": "user", "content": text}]},
    )

    async def events():
        yield b'data: {"type":"start"}\n\ndata: {"type":"text-start","id":"t"}\n\n'
        try:
            async for line in upstream.content:
                if line.startswith(b"data: {"):
                    for choice in from_json(line[6:])["choices"]:
                        if delta := choice["delta"].get("content"):
                            event = {"type": "text-delta", "id": "t", "delta": delta}
                            yield b"data: " + to_json(event) + b"\n\n"
        finally:
            upstream.release()
        yield b'data: {"type":"text-end","id":"t"}\n\ndata: {"type":"finish"}\n\ndata: [DONE]\n\n'

    return StreamingResponse(events(), media_type="text/event-stream")


app = Starlette(routes=[Route("/api/health", health), Route("/api/chat", chat, methods=["POST"])])
