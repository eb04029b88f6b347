"""Template versions as people read them, and the release notes between two of them.

Copier records a project's template version (`_commit`) as `git describe --tags` prints it:
`v0.2.0` for a release, `v0.2.0-5-gabc1234` for a commit five past it (a checkout).
"""

from __future__ import annotations

import re

from packaging.version import InvalidVersion, Version

from ai_eng import __version__

_DESCRIBED = re.compile(r"v(?P<base>\d[^-]*)(?:-(?P<distance>\d+)-g(?P<sha>[0-9a-f]+))?")


def display_version(ref: str) -> str:
    """`v0.2.0` -> `0.2.0`; `v0.2.0-5-gabc1234` -> `0.3.0.dev5` when this ai-eng is a
    0.3.0 development version (else `0.2.0.post5`); anything else (a bare commit) as is."""
    m = _DESCRIBED.fullmatch(ref)
    if not m:
        return ref
    if not m["distance"]:
        return m["base"]
    try:
        ahead = Version(Version(__version__).base_version) > Version(m["base"])
    except InvalidVersion:
        ahead = False
    if ahead:
        return f"{Version(__version__).base_version}.dev{m['distance']}"
    return f"{m['base']}.post{m['distance']}"


def release_of(ref: str) -> Version | None:
    """The release `ref` is (`v0.2.0`) or the one it was made after (`v0.2.0-5-g…`)."""
    m = _DESCRIBED.fullmatch(ref)
    try:
        return Version(m["base"]) if m else None
    except InvalidVersion:
        return None


def is_release(ref: str) -> bool:
    m = _DESCRIBED.fullmatch(ref)
    return bool(m and not m["distance"])
