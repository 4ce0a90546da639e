"""The layout of the code itself: one home per concern.

No library module imports another in a cycle (imports inside functions count: they run too);
the Snakefile holds rules, not functions; the report takes its run as one context; and every
vector file is opened by the one module of formats."""

import ast
import inspect
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LIBRARY = REPO / "scripts" / "morphvec"


def module_name(path: Path) -> str:
    parts = path.relative_to(LIBRARY.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def library_imports() -> dict[str, set[str]]:
    """For every module of the library, the library modules it imports anywhere in its code."""
    modules = {module_name(path): path for path in LIBRARY.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
                found |= {f"{node.module}.{alias.name}" for alias in node.names}  # `from morphvec import x`
        graph[name] = {module for module in found if module in modules and module != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of imports as the list of modules along it, or None (depth-first search)."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node], _ = "open", path.append(node)
        for child in sorted(graph[node]):
            if state.get(child) == "open":
                return [*path[path.index(child) :], child]
            if child not in state and (cycle := visit(child)):
                return cycle
        state[node], _ = "done", path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_cycle_finder_finds_cycles():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_no_library_module_imports_another_in_a_cycle():
    graph = library_imports()
    assert "morphvec.formats" in graph["morphvec.query"]  # the walk sees imports at all
    assert find_cycle(graph) is None


def test_the_snakefile_holds_rules_only():
    text = (REPO / "Snakefile").read_text(encoding="utf-8")
    assert not re.search(r"^\s*def ", text, re.MULTILINE)
    assert len(text.splitlines()) < 330
    assert "results/" not in text  # every path comes from morphvec.layout


def test_the_report_takes_its_run_as_one_context():
    from morphvec.report import SECTIONS, write_report

    assert len(inspect.signature(write_report).parameters) <= 12
    for section in SECTIONS:
        assert list(inspect.signature(section).parameters) == ["ctx"], section.__name__


def test_every_vector_file_is_opened_by_the_formats_module():
    """Readers of vector files are called in formats.py alone (the steps that write a format
    check their own output, and the torch loader is the export's own file)."""
    readers = re.compile(r"fasttext\.load_model|load_facebook_vectors|load_word2vec_format\(|safe_open\(|np\.load\(")
    allowed = {"formats.py", "fasttext_torch.py", "training.py", "vectors.py", "manifest.py"}
    offenders = [
        f"{path.name}:{number}"
        for path in LIBRARY.rglob("*.py")
        if path.name not in allowed
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if readers.search(line) and not line.lstrip().startswith(("#", '"', "``"))
    ]
    assert offenders == []
