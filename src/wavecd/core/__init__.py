"""The foundation every other package stands on: errors, time, events, and Go's string quoting (`goquote`)."""

from typing import TYPE_CHECKING

from wavecd.core.lazy_exports import lazy_exports

if TYPE_CHECKING:
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

__getattr__, __dir__ = lazy_exports(__name__, __all__, ("errors", "clock", "events"))
