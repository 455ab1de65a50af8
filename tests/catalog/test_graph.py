"""The DAG helpers behind package dependencies, checked against random graphs."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from onestop.catalog.graph import find_cycle, find_path, longest_path, topological_order

edges_strategy = st.lists(
    st.tuples(st.integers(0, 7), st.integers(0, 7)).filter(lambda e: e[0] != e[1]), max_size=20
)


def _build_dag(candidates: list[tuple[int, int]]) -> tuple[list[tuple[int, int]], int]:
    """Add edges the way package_dependency_add does: refuse one that closes a cycle."""
    accepted: list[tuple[int, int]] = []
    refused = 0
    for before, after in candidates:
        if find_path(accepted, after, before) is not None:
            refused += 1
            assert find_cycle(range(8), [*accepted, (before, after)]) is not None
        else:
            accepted.append((before, after))
    return accepted, refused


@given(edges_strategy)
def test_refusing_cycle_closing_edges_keeps_the_graph_acyclic(candidates):
    accepted, _refused = _build_dag(candidates)
    assert find_cycle(range(8), accepted) is None
    order = topological_order(range(8), accepted, sort_key=lambda n: n)
    position = {node: i for i, node in enumerate(order)}
    assert all(position[b] < position[a] for b, a in accepted)


@given(edges_strategy)
def test_found_cycle_is_a_real_cycle(candidates):
    cycle = find_cycle(range(8), candidates)
    if cycle is not None:
        assert cycle[0] == cycle[-1]
        assert all((a, b) in candidates for a, b in zip(cycle, cycle[1:], strict=False))


def test_longest_path_weights_nodes():
    edges = [("licence", "food"), ("licence", "seal"), ("food", "sign")]
    weight = {"licence": 3, "food": 5, "seal": 1, "sign": 2}
    assert longest_path(weight, edges, weight) == (10, ["licence", "food", "sign"])
