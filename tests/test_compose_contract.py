"""Fast tier: the RAG part's retrieval interface fits the chat's `Retriever` protocol.

A composed project's chat answers from the RAG part through one seam: rag-pipeline's
`src/<package>/retrieval.py` (declared as the entry point `rag` in the group `retrievers`) and
react-chat-ui's `backend/app/core/retriever.py` (the `Retriever` and `Passage` protocols, which the
backend loads by that group). Both templates are rendered with Copier; the chat's module is stdlib
only and is imported; the RAG part's modules are read with `ast` (their dependencies, PostgreSQL and
the models, are not installed here), so nothing is loaded or started.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
from copier import run_copy

from conftest import make_template_repo


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the chat, the RAG part), rendered with their defaults from the working tree."""
    root = tmp_path_factory.mktemp("contract")
    source = make_template_repo(root / "template-repo")
    rendered = []
    for template in ("react-chat-ui", "rag-pipeline"):
        dest = root / template
        data = {"template": template}
        run_copy(str(source), dest, data=data, defaults=True, unsafe=True, quiet=True)
        rendered.append(dest)
    return rendered[0], rendered[1]


def chat_retriever(chat: Path) -> ModuleType:
    path = chat / "backend" / "app" / "core" / "retriever.py"
    spec = importlib.util.spec_from_file_location("chat_retriever_under_test", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def rag_entry_point(rag: Path, group: str) -> tuple[Path, str]:
    """The module file and the function the RAG part's pyproject.toml declares in `group`."""
    pyproject = tomllib.loads((rag / "pyproject.toml").read_text())
    declared = pyproject["project"].get("entry-points", {}).get(group, {})
    assert len(declared) == 1, f"rag-pipeline declares {declared} in the group {group!r}"
    (value,) = declared.values()
    module, function = value.split(":")
    return rag / "src" / Path(*module.split(".")).with_suffix(".py"), function


def definitions(path: Path) -> dict[str, ast.AST]:
    return {
        node.name: node
        for node in ast.parse(path.read_text()).body
        if isinstance(node, ast.FunctionDef | ast.ClassDef)
    }


def parameters(function: ast.FunctionDef) -> list[str]:
    args = function.args
    return [a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs] if a.arg != "self"]


def protocol_methods(protocol: type) -> dict[str, list[str]]:
    return {
        name: [p for p in inspect.signature(member).parameters if p != "self"]
        for name, member in vars(protocol).items()
        if inspect.isfunction(member) and not name.startswith("_")
    }


def test_the_rag_part_declares_a_retriever_where_the_chat_looks(parts) -> None:
    chat, rag = parts
    module, function = rag_entry_point(rag, chat_retriever(chat).ENTRY_POINT_GROUP)
    assert module.name == "retrieval.py" and module.is_file()
    opener = definitions(module)[function]
    # open_retriever calls it as opener(RAG_DIR, RAG_ENV_FILE).
    assert parameters(opener)[:2] == ["root", "env_file"]
    assert opener.args.defaults and len(opener.args.args) - len(opener.args.defaults) <= 2


def test_the_opened_index_has_every_method_of_the_protocol(parts) -> None:
    chat, rag = parts
    protocol = chat_retriever(chat).Retriever
    module, function = rag_entry_point(rag, chat_retriever(chat).ENTRY_POINT_GROUP)
    found = definitions(module)
    index = found[ast.unparse(found[function].returns)]  # the class open_folder returns
    methods = {n.name: n for n in index.body if isinstance(n, ast.FunctionDef)}
    for name, params in protocol_methods(protocol).items():
        assert name in methods, f"{index.name} lacks {name}() of the chat's Retriever"
        assert parameters(methods[name]) == params, f"{index.name}.{name}() takes other arguments"


def test_the_no_documents_default_has_the_same_methods(parts) -> None:
    module = chat_retriever(parts[0])
    assert protocol_methods(module.NoDocuments) == protocol_methods(module.Retriever)
    assert module.open_retriever(None, None).find("anything") == []


def test_the_rag_parts_hits_have_every_passage_attribute(parts) -> None:
    chat, rag = parts
    passage = chat_retriever(chat).Passage
    (search,) = rag.glob("src/*/search.py")
    hit = definitions(search)["Hit"]
    fields = {
        n.target.id: ast.unparse(n.annotation) for n in hit.body if isinstance(n, ast.AnnAssign)
    }
    wanted = {name: getattr(a, "__name__", a) for name, a in passage.__annotations__.items()}
    assert {name: fields.get(name) for name in wanted} == wanted
