"""Quiet hours: the hours of the night when nothing the bot sends on its own goes out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo


@dataclass(frozen=True, slots=True)
class QuietHours:
    """From ``start`` to ``end`` local time; the span may cross midnight (21:00-07:00).

    ``start == end`` means never quiet.
    """

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        """``"21:00-07:00"``; ``""`` or ``"off"`` for none. Raises ValueError with the reason."""
        cleaned = text.strip().lower()
        if cleaned in ("", "off", "none"):
            return cls(time(0), time(0))
        first, sep, second = cleaned.partition("-")
        if not sep:
            raise ValueError("expected HH:MM-HH:MM, e.g. 21:00-07:00, or off")
        try:
            return cls(time.fromisoformat(first.strip()), time.fromisoformat(second.strip()))
        except ValueError:
            raise ValueError("expected HH:MM-HH:MM, e.g. 21:00-07:00, or off") from None

    def contains(self, moment: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def next_allowed(self, moment: datetime, zone: tzinfo) -> datetime:
        """``moment`` if it is outside the quiet hours, else when they end (in ``zone``)."""
        local = moment.astimezone(zone)
        if not self.contains(local.time().replace(tzinfo=None)):
            return moment
        day = (
            local.date()
            if local.time().replace(tzinfo=None) < self.end
            else (local.date() + timedelta(days=1))
        )
        return datetime.combine(day, self.end, tzinfo=zone).astimezone(moment.tzinfo)

    def __str__(self) -> str:
        if self.start == self.end:
            return "off"
        return f"{self.start:%H:%M}-{self.end:%H:%M}"
