"""Run lint-imports on the contracts in pyproject.toml and print, per contract, how many import
chains break it (so the way to zero can be shown), and the size of the largest package cycle.

Exit status: 0 when every contract is kept, 1 otherwise. `make imports` runs it."""

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
CHAIN = re.compile(r"^-\s+ruxue\.")  # one broken chain (forbidden, protected, layers)
BREAKERS = re.compile(r"removing (\d+) dependenc")  # acyclic_siblings: cycle-breaking imports


def contract_names() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return [c["name"] for c in config["tool"]["importlinter"]["contracts"]]


def run_lint_imports() -> tuple[int, str]:
    env = {**os.environ, "COLUMNS": "1000", "NO_COLOR": "1"}
    binary = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(binary), "--no-cache"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    return done.returncode, done.stdout + done.stderr


def sections(output: str, names: list[str]) -> dict[str, list[str]]:
    """The lines under each contract's heading in the 'Broken contracts' part of the output."""
    _, _, broken = output.partition("Broken contracts")
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in broken.splitlines():
        if line.strip() in names:
            current = found.setdefault(line.strip(), [])
        elif current is not None:
            current.append(line)
    return found


def count(lines: list[str]) -> int:
    breakers = [int(m.group(1)) for line in lines if (m := BREAKERS.search(line))]
    return sum(breakers) if breakers else sum(1 for line in lines if CHAIN.match(line))


def largest_cycle(package: str = "ruxue") -> tuple[int, int]:
    """(packages in the largest strongly connected component, packages) of the package graph."""
    graph = grimp.build_graph(package)
    packages = sorted(m for m in graph.find_children(package) if graph.find_children(m))
    top = {m: m.split(".")[1] for m in graph.modules if m.count(".") >= 1}
    edges: dict[str, set[str]] = {p.split(".")[1]: set() for p in packages}
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            a, b = top.get(module), top.get(imported)
            if a in edges and b in edges and a != b:
                edges[a].add(b)
    return max(len(c) for c in components(edges)), len(edges)


def components(edges: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components: the nodes that reach each other."""

    def reach(start: str, graph: dict[str, set[str]]) -> set[str]:
        seen, todo = {start}, [start]
        while todo:
            for nxt in graph[todo.pop()] - seen:
                seen.add(nxt)
                todo.append(nxt)
        return seen

    back: dict[str, set[str]] = {n: {m for m in edges if n in edges[m]} for n in edges}
    result: list[set[str]] = []
    for node in edges:
        if not any(node in c for c in result):
            result.append(reach(node, edges) & reach(node, back))
    return result


def main() -> int:
    names = contract_names()
    status, output = run_lint_imports()
    if "Broken contracts" not in output and status != 0:
        print(output)  # a configuration error, not a broken contract
        return status
    broken = sections(output, names)
    for name in names:
        n = count(broken[name]) if name in broken else 0
        print(f"{n:5d}  {'BROKEN' if name in broken else 'kept  '}  {name}")
    cycle, packages = largest_cycle()
    print(f"largest import cycle: {cycle} of {packages} packages")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
