"""The foundation every other package stands on: errors, time, events, and Go's string quoting (`goquote`)."""

from wavecd.core.clock import Clock, ManualClock, RealClock
from wavecd.core.errors import Location, UserInputError, WavecdError, internal_error
from wavecd.core.events import Emit, Event, discard

__all__ = [
    "Clock",
    "Emit",
    "Event",
    "Location",
    "ManualClock",
    "RealClock",
    "UserInputError",
    "WavecdError",
    "discard",
    "internal_error",
]
