"""Button data: each kind round-trips within 64 bytes; forged data parses to None."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import callbacks as cb

SAMPLES: list[cb.Press] = [
    cb.MenuChoice("ask"),
    cb.MenuChoice("safety"),
    cb.OpenEntry("technique.effleurage"),
    cb.BrowseHome(),
    cb.BrowseSection("upper-back"),
    cb.BrowseEntry("upper-back", "technique.sustained-thumb-pressure"),
    cb.SessionMenu(),
    cb.SessionStart("routine.full-back"),
    cb.SessionPractice("technique.kneading"),
    cb.SessionReplace("practice", 0, "technique.kneading"),
    cb.SessionReplace("routine", 25, "routine.full-back"),
    cb.SessionKeep(),
    cb.SessionRate(123456789012, 5),
    cb.SessionControl("pause", 7, 3),
    cb.SessionControl("go", 7, 0),
    cb.ReminderMenu(),
    cb.ReminderNew(21, 30, 0b0011111),
    cb.ReminderAct("snooze", 4),
    cb.ReminderAct("delete", 4),
    cb.RemindersOff(),
    cb.ZoneSet("America/Argentina/Buenos_Aires"),
    cb.ZoneSet("UTC+05:30"),
    cb.ForgetConfirm(1_800_000_000),
    cb.PrivacyKeep(),
    cb.BroadcastSend(12),
    cb.BroadcastCancel(12),
]


def test_every_kind_has_a_sample_and_a_unique_tag() -> None:
    assert {type(press) for press in SAMPLES} == set(cb.KINDS)
    assert len({kind.tag for kind in cb.KINDS}) == len(cb.KINDS)


@pytest.mark.parametrize("press", SAMPLES, ids=lambda press: press.data())
def test_round_trip_within_64_bytes(press: cb.Press) -> None:
    data = press.data()
    assert data.startswith(cb.VERSION + ":")
    assert len(data.encode()) <= 64
    assert cb.parse(data) == press


@pytest.mark.parametrize(
    "data",
    [
        "",
        "v1",
        "v1:",
        "v1:nope",
        "v2:br",  # a future or past version is stale, not misread
        "ses:p:1:2",  # the unversioned data of the first release
        "v1:br:extra",
        "v1:sy:1:6",
        "v1:sy:1:0",
        "v1:sc:jump:1:2",
        "v1:sc:pause:1",
        "v1:sc:pause:-1:2",
        "v1:sc:pause:1234567890123:2",
        "v1:rn:24:00:1",
        "v1:rn:7:30:0",
        "v1:rn:7:30:128",
        "v1:ask:",
        "v1:ask:two words",
        "v1:ask:<b>",
        "v1:tz:" + "a" * 51,
    ],
)
def test_forged_or_stale_data_is_none(data: str) -> None:
    assert cb.parse(data) is None


@given(st.text(max_size=64))
def test_any_text_parses_or_is_none_without_raising(data: str) -> None:
    press = cb.parse(data)
    assert press is None or press.data() == data


def test_pattern_takes_only_its_kinds() -> None:
    browse = cb.matches(cb.BrowseHome, cb.BrowseSection, cb.BrowseEntry)
    assert browse(cb.BrowseHome().data())
    assert browse(cb.BrowseSection("upper-back").data())
    assert not browse(cb.OpenEntry("x").data())
    assert not browse("br:home")
    assert not browse(None)
