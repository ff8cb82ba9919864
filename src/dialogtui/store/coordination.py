"""What the coordinator decides across initiatives: coordinated overlaps, blocked periods, and
the region's settings (rest period, panel cap, …)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dialogtui.domain import diff
from dialogtui.store.base import StoreBase
from dialogtui.store.rows import STORED

if TYPE_CHECKING:
    from dialogtui.models import BlockedPeriod, CoordinationMark


class CoordinationStore(StoreBase):
    # -- coordinated overlaps --

    def coordination_marks(self) -> dict[tuple[int, int], CoordinationMark]:
        from dialogtui.models import CoordinationMark

        rows = self._query("SELECT * FROM overlap_marks")
        return {(r["a"], r["b"]): CoordinationMark.model_validate(r) for r in rows}

    def mark_coordinated(self, mark: CoordinationMark) -> CoordinationMark:
        """Record that an overlap has been dealt with; audited on both initiatives."""
        a, b = sorted((mark.a, mark.b))
        at = self.now()
        stored = mark.model_copy(update={"a": a, "b": b, "by": self.user, "at": at})
        with self.write() as conn:
            for initiative_id in (a, b):
                self._require_initiative(conn, initiative_id)
            self._upsert(
                conn,
                "overlap_marks",
                {
                    "a": a,
                    "b": b,
                    "note": stored.note,
                    "fingerprint": stored.fingerprint,
                    "by": self.user,
                    "at": at.isoformat(),
                },
                key=("a", "b"),
            )
            for own, other in ((a, b), (b, a)):
                self._audit(
                    "coordinate",
                    "overlap",
                    other,
                    own,
                    {"samordnad med": [None, other]},
                    stored.note,
                )
        return stored

    def unmark_coordinated(self, a: int, b: int) -> None:
        a, b = sorted((a, b))
        with self.write() as conn:
            conn.execute("DELETE FROM overlap_marks WHERE a = ? AND b = ?", (a, b))
            for own, other in ((a, b), (b, a)):
                self._audit("uncoordinate", "overlap", other, own, {"samordnad med": [other, None]})

    # -- blocked periods --

    def blocked_periods(self) -> list[BlockedPeriod]:
        from dialogtui.models import BlockedPeriod

        rows = self._query('SELECT * FROM blocked_periods ORDER BY start, "end", id')
        return [BlockedPeriod.model_validate(r, context=STORED) for r in rows]

    def save_blocked_period(self, period: BlockedPeriod) -> BlockedPeriod:
        values = period.model_dump(mode="json", exclude={"id"})
        with self.write() as conn:
            if period.id is None:
                cursor = conn.execute(
                    'INSERT INTO blocked_periods (name, start, "end") VALUES (:name, :start, :end)',
                    values,
                )
                period = period.model_copy(update={"id": int(cursor.lastrowid or 0)})
                self._audit("create", "blocked_period", period.id, None, diff(None, values))
            else:
                old = self._row("blocked_periods", period.id, "Den spärrade perioden")
                conn.execute(
                    'UPDATE blocked_periods SET name = :name, start = :start, "end" = :end'
                    " WHERE id = :id",
                    values | {"id": period.id},
                )
                before = {k: old[k] for k in values}
                self._audit("update", "blocked_period", period.id, None, diff(before, values))
        return period

    def delete_blocked_period(self, period_id: int) -> None:
        with self.write() as conn:
            old = self._row("blocked_periods", period_id, "Den spärrade perioden")
            conn.execute("DELETE FROM blocked_periods WHERE id = ?", (period_id,))
            before = {k: old[k] for k in ("name", "start", "end")}
            self._audit("delete", "blocked_period", period_id, None, diff(before, None))

    # -- settings --

    def setting(self, key: str, default: str | None = None) -> str | None:
        value = self._scalar("SELECT value FROM settings WHERE key = ?", [key])
        return default if value is None else str(value)

    def int_setting(self, key: str, default: int) -> int:
        value = self.setting(key)
        try:
            return int(value) if value is not None else default
        except ValueError:
            return default

    def set_setting(self, key: str, value: str) -> None:
        with self.write() as conn:
            old = self.setting(key)
            self._upsert(conn, "settings", {"key": key, "value": value}, key=("key",))
            self._audit("update", "setting", None, None, {key: [old, value]})
