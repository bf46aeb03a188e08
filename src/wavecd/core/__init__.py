"""The foundation every other package stands on: errors, time, events."""

from wavecd.core.clock import Clock, ManualClock, RealClock
from wavecd.core.errors import Location, UserInputError, WavecdError

__all__ = ["Clock", "Location", "ManualClock", "RealClock", "UserInputError", "WavecdError"]
