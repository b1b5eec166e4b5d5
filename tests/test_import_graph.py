"""The app's import graph has no cycles: every `import funnel_suite...` / `from funnel_suite... import`
(module level or inside a function) between the app's own modules, read with ast, never leads back
to where it started. Shared pieces live one level down (funnels/definitions.py below card.py and
handoffs.py, funnel_cadences/steps.py below the Cadence doctype, the enrollment code and the sender).
Test modules are left out: they import whatever they test."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "funnel_suite"


def _modules() -> dict[str, Path]:
	modules = {}
	for path in PACKAGE.rglob("*.py"):
		parts = list(path.relative_to(ROOT).with_suffix("").parts)
		if parts[-1] == "__init__":
			parts = parts[:-1]
		modules[".".join(parts)] = path
	return modules


def _is_test(module: str) -> bool:
	return any(part.startswith("test_") or part == "tests" for part in module.split("."))


def import_graph() -> dict[str, set[str]]:
	"""module → the app's modules it imports (a name imported from a package counts as its
	submodule when there is one, else as the package)."""
	modules = _modules()

	def resolve(name: str) -> str | None:
		while name and name not in modules:
			name = name.rpartition(".")[0]
		return name or None

	graph = {}
	for module, path in modules.items():
		if _is_test(module):
			continue
		deps = set()
		for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
			if isinstance(node, ast.Import):
				deps.update(resolve(a.name) for a in node.names if a.name.startswith("funnel_suite"))
			elif (
				isinstance(node, ast.ImportFrom)
				and node.level == 0
				and (node.module or "").startswith("funnel_suite")
			):
				for alias in node.names:
					full = f"{node.module}.{alias.name}"
					deps.add(full if full in modules else resolve(node.module))
		# importing one's own package (its __init__ runs first anyway) is not a cycle
		graph[module] = {d for d in deps if d and d != module and not module.startswith(d + ".")}
	return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
	"""The strongly connected components with more than one module (Tarjan, iterative)."""
	index: dict[str, int] = {}
	low: dict[str, int] = {}
	stack: list[str] = []
	on_stack: set[str] = set()
	cycles = []
	counter = 0
	for root in graph:
		if root in index:
			continue
		work = [(root, iter(sorted(graph[root])))]
		index[root] = low[root] = counter
		counter += 1
		stack.append(root)
		on_stack.add(root)
		while work:
			node, children = work[-1]
			for child in children:
				if child not in graph:
					continue
				if child not in index:
					index[child] = low[child] = counter
					counter += 1
					stack.append(child)
					on_stack.add(child)
					work.append((child, iter(sorted(graph[child]))))
					break
				if child in on_stack:
					low[node] = min(low[node], index[child])
			else:
				work.pop()
				if work:
					low[work[-1][0]] = min(low[work[-1][0]], low[node])
				if low[node] == index[node]:
					component = []
					while True:
						member = stack.pop()
						on_stack.discard(member)
						component.append(member)
						if member == node:
							break
					if len(component) > 1:
						cycles.append(sorted(component))
	return cycles


def test_the_checker_finds_a_cycle():
	graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
	assert find_cycles(graph) == [["a", "b", "c"]]
	assert find_cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_function_level_imports():
	graph = import_graph()
	# handoffs imports the definitions at module level, enrollment imports steps inside a function
	assert "funnel_suite.funnels.definitions" in graph["funnel_suite.funnels.handoffs"]
	assert "funnel_suite.funnel_cadences.steps" in graph["funnel_suite.funnel_cadences.enrollment"]
	assert "funnel_suite.funnels.handoffs" in graph["funnel_suite.funnels.card"]


def test_no_import_cycles_among_the_apps_modules():
	assert find_cycles(import_graph()) == []
