"""The follow schedule against a clock the test steps: base interval, backoff after empty
refreshes (capped), back to the base after one that brought something, Retry-After, the
request budget, and the pause while the terminal is away."""

from __future__ import annotations

import pytest

from threadtui.follow.schedule import PACES, Pace, Schedule, pace_for

PACE = Pace(base=60.0, per_request=1.0, cap=400.0)


def started(at: float = 1000.0, **options: float) -> Schedule:
    schedule = Schedule(PACE, **options)
    schedule.start(at)
    return schedule


def test_following_starts_with_a_refresh_at_once() -> None:
    schedule = started()
    assert schedule.due(1000.0)
    assert not schedule.due(999.0)


def test_a_thread_just_fetched_waits_a_base_interval() -> None:
    schedule = Schedule(PACE)
    schedule.start(1010.0, last=1000.0)
    assert not schedule.due(1059.0)
    assert schedule.due(1060.0)
    assert schedule.last == 1000.0


def test_empty_refreshes_back_off_up_to_the_cap_and_news_resets_it() -> None:
    schedule = started()
    now = 1000.0
    waits = []
    for _ in range(6):
        schedule.began()
        assert not schedule.due(now + 10_000)  # none while one runs
        waits.append(schedule.record(now, changed=False))
        now = schedule.next_at or now
    assert waits == [120.0, 240.0, 400.0, 400.0, 400.0, 400.0]
    assert schedule.record(now, changed=True) == 60.0
    assert schedule.next_at == now + 60.0
    assert schedule.record(now + 60, changed=False) == 120.0


def test_the_next_refresh_is_never_sooner_than_the_requests_allow() -> None:
    schedule = started()
    # 200 requests at 1 s each use more of the allowance than the base interval gives.
    assert schedule.record(1000.0, changed=True, requests=200) == 200.0
    assert not schedule.due(1199.0) and schedule.due(1200.0)


def test_retry_after_pushes_the_next_refresh_out_even_past_coming_back() -> None:
    schedule = started(away_after=300.0)
    assert schedule.record(1000.0, changed=True, retry_after=900.0) == 900.0
    assert not schedule.due(1899.0) and schedule.due(1900.0)
    # Away long enough to pause, back before the Retry-After is over: still not sooner.
    schedule.blur(1000.0)
    assert schedule.check_away(1300.0)
    assert schedule.focus(1400.0)
    assert not schedule.due(1899.0) and schedule.due(1900.0)


def test_a_short_retry_after_does_not_shorten_the_wait() -> None:
    schedule = started()
    assert schedule.record(1000.0, changed=True, retry_after=5.0) == 60.0


def test_away_for_long_pauses_once_and_coming_back_refreshes_at_once() -> None:
    schedule = started(away_after=600.0)
    schedule.record(1000.0, changed=False)  # next at 1120
    schedule.blur(1010.0)
    assert not schedule.check_away(1609.0)
    assert schedule.due(1200.0)  # away, not yet paused: it keeps following
    assert schedule.check_away(1610.0)
    assert schedule.paused == "away"
    assert not schedule.check_away(1700.0)  # said once
    assert not schedule.due(5000.0)
    assert schedule.focus(5000.0)
    assert schedule.paused is None and schedule.due(5000.0)
    # Back at the base pace: the user is looking again.
    assert schedule.interval == PACE.base


def test_coming_back_before_the_pause_changes_nothing() -> None:
    schedule = started(away_after=600.0)
    schedule.record(1000.0, changed=False)
    schedule.blur(1010.0)
    assert not schedule.focus(1100.0)
    assert schedule.next_at == 1120.0
    # The away time starts again from the next blur.
    schedule.blur(1200.0)
    assert not schedule.check_away(1700.0)
    assert schedule.check_away(1800.0)


def test_a_second_blur_does_not_restart_the_away_time() -> None:
    schedule = started(away_after=600.0)
    schedule.blur(1000.0)
    schedule.blur(1500.0)
    assert schedule.check_away(1600.0)


@pytest.mark.parametrize("platform", sorted(PACES))
def test_no_platform_is_asked_more_often_than_once_a_minute(platform: str) -> None:
    pace = pace_for(platform)
    assert pace.base >= 60.0
    assert pace.cap >= pace.base
    assert pace_for(platform) is PACES[platform]


def test_reddit_and_x_are_paced_slower_and_unknown_platforms_carefully() -> None:
    assert pace_for("reddit").base >= 120.0
    assert pace_for("x").base >= pace_for("reddit").base
    assert pace_for(None).base >= 120.0
    assert pace_for("somewhere").base >= 120.0
