"""The relay publishes what many commits handed over in one call per window."""

from __future__ import annotations

import threading

from onestop.core.relay import Relay


def test_items_handed_over_within_a_window_are_published_once_without_repeats():
    published: list[list] = []
    done = threading.Event()

    def publish(items):
        published.append(items)
        done.set()

    relay = Relay("test-relay", publish=publish, window=lambda: 0.2)
    relay.add(("a", 1))
    relay.add(("b", 2), ("a", 1))
    relay.add()  # a bare wake-up adds nothing
    assert done.wait(5)
    assert published == [[("a", 1), ("b", 2)]]


def test_after_a_failing_publication_the_relay_goes_on():
    calls: list[list] = []
    second = threading.Event()

    def publish(items):
        calls.append(items)
        if len(calls) == 1:
            raise ConnectionError("broker down")
        second.set()

    relay = Relay("test-relay-down", publish=publish, window=lambda: 0)
    relay.add("first")
    for _ in range(100):  # wait for the first, failed, publication
        if calls:
            break
        threading.Event().wait(0.02)
    relay.add("second")
    assert second.wait(5)
    assert calls[-1] == ["second"]  # the failed items are the sweeps' to catch up
