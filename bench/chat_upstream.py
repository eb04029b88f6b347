"""A scripted OpenAI-compatible streaming server for bench/chat_stream.py (loopback only).

Streams `--tokens` content chunks per request, `--delay-ms` apart, in the Chat Completions
SSE format.
Run with the generated project's backend venv (it has Starlette and uvicorn):

    backend/.venv/bin/python bench/chat_upstream.py --port 8601 --tokens 50
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

MODEL = "scripted"


def make_app(tokens: int, delay: float) -> Starlette:
    async def models(_: Request) -> JSONResponse:
        return JSONResponse(
            {"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": "bench"}]}
        )

    async def completions(request: Request) -> StreamingResponse:
        body = await request.json()
        n = int(body.get("max_tokens") or tokens)

        def chunk(delta: dict, finish: str | None = None) -> str:
            payload = {
                "id": "chatcmpl-bench",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": MODEL,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            return f"data: {json.dumps(payload)}\n\n"

        async def events():
            yield chunk({"role": "assistant"})
            for i in range(min(n, tokens)):
                if delay:
                    await asyncio.sleep(delay)
                yield chunk({"content": f"tok{i} "})
            yield chunk({}, "stop")
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    return Starlette(
        routes=[
            Route("/v1/models", models),
            Route("/v1/chat/completions", completions, methods=["POST"]),
        ]
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tokens", type=int, default=50)
    parser.add_argument("--delay-ms", type=float, default=0.0)
    args = parser.parse_args()
    app = make_app(args.tokens, args.delay_ms / 1000)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)
