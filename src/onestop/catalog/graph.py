"""Small graph helpers for the package dependency DAG (nodes are hashable ids)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import TypeVar

N = TypeVar("N", bound=Hashable)


def successors(edges: Iterable[tuple[N, N]]) -> dict[N, list[N]]:
    out: dict[N, list[N]] = defaultdict(list)
    for before, after in edges:
        out[before].append(after)
    return out


def find_path(edges: Iterable[tuple[N, N]], start: N, goal: N) -> list[N] | None:
    """A path start → … → goal following edges (breadth first), or None."""
    nxt = successors(edges)
    parent: dict[N, N | None] = {start: None}
    queue = [start]
    while queue:
        node = queue.pop(0)
        if node == goal:
            path = [node]
            while parent[path[-1]] is not None:
                path.append(parent[path[-1]])  # type: ignore[arg-type]
            return path[::-1]
        for follower in nxt.get(node, []):
            if follower not in parent:
                parent[follower] = node
                queue.append(follower)
    return None


def find_cycle(nodes: Iterable[N], edges: Iterable[tuple[N, N]]) -> list[N] | None:
    """One cycle as [a, b, …, a], or None when the graph is acyclic."""
    edge_list = list(edges)
    nxt = successors(edge_list)
    white, grey, black = 0, 1, 2
    colour: dict[N, int] = {}
    stack_path: list[N] = []

    def visit(node: N) -> list[N] | None:
        colour[node] = grey
        stack_path.append(node)
        for follower in nxt.get(node, []):
            state = colour.get(follower, white)
            if state == grey:
                return [*stack_path[stack_path.index(follower) :], follower]
            if state == white:
                found = visit(follower)
                if found:
                    return found
        stack_path.pop()
        colour[node] = black
        return None

    all_nodes = list(nodes) + [n for edge in edge_list for n in edge]
    for node in all_nodes:
        if colour.get(node, white) == white:
            found = visit(node)
            if found:
                return found
    return None


def topological_order(
    nodes: Iterable[N], edges: Iterable[tuple[N, N]], sort_key: Callable[[N], object]
) -> list[N]:
    """Kahn's algorithm; ties broken by ``sort_key`` so the order is stable. Needs a DAG."""
    node_list = list(nodes)
    nxt = successors(edges)
    indegree: dict[N, int] = dict.fromkeys(node_list, 0)
    for before, followers in nxt.items():
        if before in indegree:
            for follower in followers:
                if follower in indegree:
                    indegree[follower] += 1
    ready = sorted((n for n, d in indegree.items() if d == 0), key=sort_key)
    order: list[N] = []
    while ready:
        node = ready.pop(0)
        order.append(node)
        for follower in nxt.get(node, []):
            if follower in indegree:
                indegree[follower] -= 1
                if indegree[follower] == 0:
                    ready.append(follower)
        ready.sort(key=sort_key)
    if len(order) != len(node_list):
        raise ValueError("graph has a cycle")
    return order


def longest_path(
    nodes: Iterable[N], edges: Iterable[tuple[N, N]], weight: Mapping[N, int]
) -> tuple[int, list[N]]:
    """The heaviest chain (sum of node weights) through a DAG, and its nodes."""
    node_list = list(nodes)
    edge_list = [(a, b) for a, b in edges if a in weight and b in weight]
    order = topological_order(node_list, edge_list, sort_key=lambda n: str(n))
    preds: dict[N, list[N]] = defaultdict(list)
    for before, after in edge_list:
        preds[after].append(before)
    best: dict[N, tuple[int, list[N]]] = {}
    for node in order:
        base = max((best[p] for p in preds[node]), key=lambda b: b[0], default=(0, []))
        best[node] = (base[0] + weight[node], [*base[1], node])
    return max(best.values(), key=lambda b: b[0], default=(0, []))
