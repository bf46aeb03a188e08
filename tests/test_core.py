import threading

import pytest

from wavecd.core import Location, ManualClock, WavecdError
from wavecd.core.durations import parse_positive_duration
from wavecd.core.goparsebool import go_parse_bool


def test_error_render_names_the_location_after_the_message():
    err = WavecdError("boom", location=Location(file="values.yaml", line=3, column=5), context=["hint"])
    assert err.render() == "boom\n  at values.yaml:3:5\n  hint"


def test_manual_clock_sleep_returns_only_after_advance():
    clock = ManualClock()
    woke = threading.Event()
    sleeper = threading.Thread(target=lambda: (clock.sleep(5), woke.set()))
    sleeper.start()
    clock.advance(4)
    assert not woke.wait(0.05)
    clock.advance(1)
    assert woke.wait(2)
    sleeper.join()
    assert clock.now() == 5


def test_a_time_limit_is_a_positive_go_duration():
    assert parse_positive_duration(" 1m30s ") == 90.0
    for text in ("0s", "-5s"):
        with pytest.raises(ValueError, match=f"must be a positive duration, not '{text}'"):
            parse_positive_duration(text)
    with pytest.raises(ValueError, match='time: missing unit in duration "90"'):
        parse_positive_duration("90")


def test_go_parse_bool_takes_exactly_go_s_twelve_spellings():
    # Go's strconv.ParseBool: "1", "t", "T", "TRUE", "true", "True" and their false twins; nothing else.
    for text in ("1", "t", "T", "TRUE", "true", "True"):
        assert go_parse_bool(text) is True
    for text in ("0", "f", "F", "FALSE", "false", "False"):
        assert go_parse_bool(text) is False
    for text in ("", "yes", "tRUE", " true", "true ", "2", "on", None, True, 1):
        assert go_parse_bool(text) is None
