"""Template versions as people read them, and the release notes between two of them.

Copier records a project's template version (`_commit`) as `git describe --tags` prints it:
`v0.2.0` for a release, `v0.2.0-5-gabc1234` for a commit five past it (a checkout).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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


# ------------------------------------------------------------------- release notes

#: The Keep a Changelog sections people read, in the order they are printed; the
#: "Upgrade notes" (what the user must do) are printed first, apart from these.
SECTIONS = ("Added", "Changed", "Deprecated", "Removed", "Fixed", "Security")
UPGRADE = "Upgrade notes"


@dataclass
class Release:
    """One `## [version]` section of a template's CHANGELOG.md."""

    version: str  # "0.2.0" or "Unreleased"
    sections: dict[str, list[str]] = field(default_factory=dict)  # "Added" -> its lines

    @property
    def upgrade_notes(self) -> list[str]:
        return self.sections.get(UPGRADE, [])


def parse_changelog(text: str) -> list[Release]:
    """The releases of a Keep a Changelog file, newest first, with their `###` sections
    (lines as written, blank lines dropped)."""
    releases: list[Release] = []
    section: list[str] | None = None
    for line in text.splitlines():
        if m := re.match(r"##\s+\[?([^\]\s]+)\]?", line) if line.startswith("## ") else None:
            releases.append(Release(m[1]))
            section = None
        elif line.startswith("### ") and releases:
            section = releases[-1].sections.setdefault(line[4:].strip(), [])
        elif section is not None and line.strip():
            section.append(line.rstrip())
    return releases


def crossed(releases: list[Release], old: str, new: str) -> list[Release]:
    """The releases an update from template version `old` to `new` (as Copier records them)
    brings: after `old`, up to `new`, and the Unreleased part when `new` is past a release."""
    since, until = release_of(old), release_of(new)
    picked = []
    for release in releases:
        if release.version.lower() == "unreleased":
            if not is_release(new):
                picked.append(release)
            continue
        try:
            version = Version(release.version)
        except InvalidVersion:
            continue
        if (since is None or version > since) and (until is None or version <= until):
            picked.append(release)
    return [r for r in picked if any(r.sections.get(s) for s in (UPGRADE, *SECTIONS))]
