"""Requests to one host are spaced by the interval (robots.txt's Crawl-delay when longer);
other hosts do not wait. Time is a fake clock: nothing here sleeps."""

from __future__ import annotations

from index.feeds.pacing import HostPacer


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_second_request_to_a_host_waits_out_the_interval():
    time = FakeTime()
    pacer = HostPacer(1.0, time.clock, time.sleep)
    pacer.wait("a.test")
    time.now += 0.25
    pacer.wait("a.test")
    assert time.slept == [0.75]


def test_other_hosts_and_requests_after_the_interval_do_not_wait():
    time = FakeTime()
    pacer = HostPacer(1.0, time.clock, time.sleep)
    pacer.wait("a.test")
    pacer.wait("b.test")
    time.now += 1.5
    pacer.wait("a.test")
    assert time.slept == []


def test_a_longer_crawl_delay_is_honoured_and_a_shorter_one_is_not():
    time = FakeTime()
    pacer = HostPacer(1.0, time.clock, time.sleep)
    pacer.wait("a.test")
    pacer.wait("a.test", 5.0)
    pacer.wait("a.test", 0.1)
    assert time.slept == [5.0, 1.0]
