"""OLLAMA_HOST read the way Ollama's own client reads it (ollama-python `_parse_host`).

`gpu-box` -> `http://gpu-box:11434`, `gpu-box:8000` -> `http://gpu-box:8000`,
`http://gpu-box` -> `http://gpu-box:80`, `https://gpu-box/` -> `https://gpu-box:443`.
One change: `0.0.0.0` (the address `ollama serve` listens on for "every interface")
becomes `127.0.0.1`, because a client cannot connect to 0.0.0.0 on every OS.

ai-eng keeps one copy of this file per template (generated projects stand alone);
its test suite checks that the copies stay byte-identical.
"""

from urllib.parse import urlsplit

DEFAULT_OLLAMA_HOST = "http://127.0.0.1:11434"


def ollama_url(host: str | None) -> str:
    """The base URL (`scheme://host:port[/path]`, no trailing slash) for an OLLAMA_HOST value."""
    host = (host or "").strip()
    scheme, sep, rest = host.partition("://")
    if not sep:
        scheme, rest, port = "http", host, 11434
    else:
        port = {"http": 80, "https": 443}.get(scheme, 11434)
    split = urlsplit(f"{scheme}://{rest}")
    hostname = split.hostname or "127.0.0.1"
    if hostname == "0.0.0.0":
        hostname = "127.0.0.1"
    if ":" in hostname:  # an IPv6 address
        hostname = f"[{hostname}]"
    return f"{scheme}://{hostname}:{split.port or port}{split.path.rstrip('/')}"
