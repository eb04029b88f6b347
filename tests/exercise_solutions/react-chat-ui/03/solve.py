"""CHAT_REQUESTS_PER_MINUTE: a dependency (new file) attached to the chat router in api/main.py."""

RATE_LIMIT = '''"""At most CHAT_REQUESTS_PER_MINUTE chat requests a user in any 60 s (0: none).

Kept in this process's memory: with several backend processes, each counts its own requests.
"""

import math
import time
from collections import defaultdict, deque

from fastapi import HTTPException, status

from app.api.deps import SettingsDep, UserDep

WINDOW_SECONDS = 60.0
_recent: dict[str, deque[float]] = defaultdict(deque)


def chat_rate_limit(user_id: UserDep, settings: SettingsDep) -> None:
    limit = settings.CHAT_REQUESTS_PER_MINUTE
    if limit <= 0:
        return
    now = time.monotonic()
    recent = _recent[user_id]
    while recent and now - recent[0] >= WINDOW_SECONDS:
        recent.popleft()
    if len(recent) >= limit:
        retry = max(1, math.ceil(WINDOW_SECONDS - (now - recent[0])))
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"At most {limit} chat requests a minute (CHAT_REQUESTS_PER_MINUTE);"
            f" try again in {retry}s.",
            headers={"Retry-After": str(retry)},
        )
    recent.append(now)
'''


def solve(project) -> None:
    project.write("backend/app/api/rate_limit.py", RATE_LIMIT)
    project.insert_after(
        "backend/app/core/config.py",
        r"^    MAX_MESSAGE_CHARS: ",
        "    CHAT_REQUESTS_PER_MINUTE: int = 0  # per user; 0: no limit",
    )
    main = "backend/app/api/main.py"
    project.insert_after(
        main,
        r"^from fastapi import APIRouter$",
        "from fastapi import Depends\n\nfrom app.api.rate_limit import chat_rate_limit",
    )
    project.replace(
        main,
        "api_router.include_router(chat.router)\n",
        "api_router.include_router(chat.router, dependencies=[Depends(chat_rate_limit)])\n",
    )
