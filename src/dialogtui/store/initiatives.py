"""Initiatives and their target groups: the calendar's reads and the versioned writes."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from dialogtui.domain import (
    GroupFacts,
    InitiativeSummary,
    Method,
    Municipality,
    Planned,
    Stage,
    describe_group,
    diff,
)
from dialogtui.filters import Filter
from dialogtui.store.base import StoreBase
from dialogtui.store.checklist import sync_automatic_items
from dialogtui.store.errors import ConflictError, NotFoundError
from dialogtui.store.rows import (
    SUMMARY_ORDERS,
    content,
    filter_sql,
    initiative_from_row,
    initiative_row,
    target_group_row,
)
from dialogtui.store.schema import reindex_lessons

if TYPE_CHECKING:
    from dialogtui.models import Initiative, TargetGroup


class InitiativeStore(StoreBase):
    # -- reading --

    def count_initiatives(self) -> int:
        return int(self._scalar("SELECT count(*) FROM initiatives"))

    def initiatives(self, ids: Sequence[int] | None = None) -> list[Initiative]:
        """All initiatives (or those with the given ids), ordered by start date."""
        order = ' ORDER BY start, "end", id'
        if ids is None:
            where, group_where, params = "", "", []
        else:
            marks = ",".join("?" * len(ids))
            where = f" WHERE id IN ({marks})"
            group_where = f" WHERE initiative_id IN ({marks})"
            params = list(ids)
        with self.connection():  # one snapshot of both tables
            rows = self._query(f"SELECT * FROM initiatives{where}{order}", params)
            group_rows = self._query(
                f"SELECT * FROM target_groups{group_where} ORDER BY position", params
            )
        groups: dict[int, list[dict[str, Any]]] = {}
        for g in group_rows:
            groups.setdefault(g["initiative_id"], []).append(g)
        return [initiative_from_row(r, groups.get(r["id"], [])) for r in rows]

    def initiative(self, initiative_id: int) -> Initiative:
        found = self.initiatives([initiative_id])
        if not found:
            raise NotFoundError(f"Initiativ {initiative_id} finns inte (det kan ha tagits bort).")
        return found[0]

    def planned(self) -> list[Planned]:
        """Every initiative in the light form that overlap detection needs, ordered by start."""
        # Groups repeat a great deal across a region (the same municipalities, the same
        # segments): equal values share one tuple instead of each row holding its own.
        shared: dict[str, tuple[Any, ...]] = {}

        def members(raw: str, kind: type[Any]) -> tuple[Any, ...]:
            found = shared.get(raw)
            if found is None:
                found = shared[raw] = tuple(kind(v) for v in json.loads(raw))
            return found

        groups: dict[int, list[GroupFacts]] = {}
        with self.connection() as conn:
            for initiative_id, name, municipalities, age_min, age_max, segments in conn.execute(
                "SELECT initiative_id, name, municipalities, age_min, age_max, segments"
                " FROM target_groups ORDER BY initiative_id, position"
            ):
                groups.setdefault(initiative_id, []).append(
                    GroupFacts(
                        name,
                        members(municipalities, Municipality),
                        age_min,
                        age_max,
                        members(segments, str),
                    )
                )
            rows = conn.execute(
                'SELECT id, title, unit, start, "end", stage, uses_panel FROM initiatives'
                ' ORDER BY start, "end", id'
            ).fetchall()
        stages = {stage.value: stage for stage in Stage}
        return [
            Planned(
                ident,
                title,
                unit,
                date.fromisoformat(start),
                date.fromisoformat(end),
                stages[stage],
                bool(uses_panel),
                tuple(groups.get(ident, ())),
            )
            for ident, title, unit, start, end, stage, uses_panel in rows
        ]

    def panel_surveys(self) -> list[tuple[int, date]]:
        """(id, start) of every survey sent to the panel that is not cancelled: what its cap
        counts (`rules.counts_toward_panel_cap`)."""
        from dialogtui.rules import counts_toward_panel_cap

        with self.connection() as conn:
            rows = conn.execute(
                "SELECT id, method, start FROM initiatives WHERE uses_panel = 1 AND stage != ?",
                (Stage.CANCELLED.value,),
            ).fetchall()
        return [
            (ident, date.fromisoformat(start))
            for ident, method, start in rows
            if counts_toward_panel_cap(Method(method), uses_panel=True)
        ]

    # -- summaries for the calendar views --

    def summaries(
        self,
        where: Filter | None = None,
        order: str = "start",
        offset: int = 0,
        limit: int = -1,
        between: tuple[date, date] | None = None,
    ) -> list[InitiativeSummary]:
        """A page of initiatives that match the filter, optionally only those active in a period."""
        sql_where, params = filter_sql(where or Filter(), between)
        order_sql = SUMMARY_ORDERS.get(order, SUMMARY_ORDERS["start"])
        with self.connection() as conn:
            rows = conn.execute(
                'SELECT id, title, unit, method, stage, start, "end", deadline, uses_panel'
                f" FROM initiatives i {sql_where} ORDER BY {order_sql} LIMIT ? OFFSET ?",
                [*params, limit, offset],
            ).fetchall()
            labels = self._group_labels(conn, [r[0] for r in rows])
        return [
            InitiativeSummary(
                id=r[0],
                title=r[1],
                unit=r[2],
                method=Method(r[3]),
                stage=Stage(r[4]),
                start=date.fromisoformat(r[5]),
                end=date.fromisoformat(r[6]),
                deadline=date.fromisoformat(r[7]) if r[7] else None,
                uses_panel=bool(r[8]),
                groups="; ".join(labels.get(r[0], [])),
            )
            for r in rows
        ]

    def count_matching(
        self, where: Filter | None = None, between: tuple[date, date] | None = None
    ) -> int:
        sql_where, params = filter_sql(where or Filter(), between)
        return int(self._scalar(f"SELECT count(*) FROM initiatives i {sql_where}", params))

    def spans(
        self, where: Filter | None, between: tuple[date, date], by: str
    ) -> list[tuple[str, date, date]]:
        """(key, start, end) per initiative (by="unit") or per target group (by="target").

        Target groups are keyed by their structure, not their name, so that two units' groups
        of the same residents land on one timeline row.
        """
        sql_where, params = filter_sql(where or Filter(), between)
        with self.connection() as conn:
            if by == "unit":
                rows = conn.execute(
                    f'SELECT unit, start, "end" FROM initiatives i {sql_where}', params
                ).fetchall()
                return [(r[0], date.fromisoformat(r[1]), date.fromisoformat(r[2])) for r in rows]
            rows = conn.execute(
                'SELECT g.municipalities, g.age_min, g.age_max, g.segments, i.start, i."end"'
                " FROM initiatives i LEFT JOIN target_groups g ON g.initiative_id = i.id"
                f" {sql_where}",
                params,
            ).fetchall()
        return [
            (
                describe_group(json.loads(r[0]), r[1], r[2], json.loads(r[3]))
                if r[0] is not None
                else "(ingen målgrupp)",
                date.fromisoformat(r[4]),
                date.fromisoformat(r[5]),
            )
            for r in rows
        ]

    def units(self) -> list[str]:
        """Every ordering unit that has registered something, for filter choices."""
        with self.connection() as conn:
            rows = conn.execute(
                "SELECT DISTINCT unit FROM initiatives ORDER BY unit COLLATE swedish"
            )
            return [r[0] for r in rows]

    @staticmethod
    def _group_labels(conn: sqlite3.Connection, ids: list[int]) -> dict[int, list[str]]:
        labels: dict[int, list[str]] = {}
        for chunk_start in range(0, len(ids), 500):
            chunk = ids[chunk_start : chunk_start + 500]
            marks = ",".join("?" * len(chunk))
            for initiative_id, name, munis, age_min, age_max, segs in conn.execute(
                "SELECT initiative_id, name, municipalities, age_min, age_max, segments"
                f" FROM target_groups WHERE initiative_id IN ({marks}) ORDER BY position",
                chunk,
            ):
                label = name or describe_group(
                    json.loads(munis), age_min, age_max, json.loads(segs)
                )
                labels.setdefault(initiative_id, []).append(label)
        return labels

    # -- writing --

    def _insert_initiative(self, initiative: Initiative, note: str = "") -> int:
        """Insert inside the caller's write transaction; returns the new id."""
        stamp = self.now().isoformat()
        row = initiative_row(initiative) | {
            "version": 1,
            "created_at": stamp,
            "created_by": self.user,
            "updated_at": stamp,
            "updated_by": self.user,
        }
        columns = ", ".join(f'"{c}"' for c in row)
        marks = ", ".join("?" * len(row))
        conn = self._tx
        cursor = conn.execute(
            f"INSERT INTO initiatives ({columns}) VALUES ({marks})", list(row.values())
        )
        new_id = int(cursor.lastrowid or 0)
        self._write_target_groups(conn, new_id, initiative.target_groups)
        reindex_lessons(conn, new_id)
        sync_automatic_items(conn, new_id)
        self._audit("create", "initiative", new_id, new_id, diff(None, content(initiative)), note)
        return new_id

    @staticmethod
    def _write_target_groups(conn: Any, initiative_id: int, groups: Iterable[TargetGroup]) -> None:
        conn.execute("DELETE FROM target_groups WHERE initiative_id = ?", (initiative_id,))
        rows = [target_group_row(initiative_id, i, g) for i, g in enumerate(groups)]
        if rows:
            conn.executemany(
                "INSERT INTO target_groups (initiative_id, position, name, municipalities, age_min,"
                " age_max, segments) VALUES (:initiative_id, :position, :name, :municipalities,"
                " :age_min, :age_max, :segments)",
                rows,
            )

    def create_initiative(self, initiative: Initiative, note: str = "") -> Initiative:
        # Read back inside the transaction: after COMMIT another writer's save could be read.
        with self.write():
            return self.initiative(self._insert_initiative(initiative, note))

    def create_initiatives(
        self, initiatives: Iterable[Initiative], note: str = "", notes: Sequence[str] = ()
    ) -> list[int]:
        """Add many initiatives in one transaction: all of them, or none if anything fails.

        `note` goes into each one's audit entry, e.g. the file they were imported from; `notes`,
        when given, holds one note per initiative instead.
        """
        with self.write():
            return [
                self._insert_initiative(i, notes[n] if n < len(notes) else note)
                for n, i in enumerate(initiatives)
            ]

    def _locked_current(self, initiative_id: int, expected_version: int) -> Initiative:
        """Read the stored initiative inside a write transaction and check the caller's version."""
        current = self.initiative(initiative_id)
        if current.version != expected_version:
            raise ConflictError(
                f"Initiativet ”{current.title}”",
                current.updated_by,
                current.updated_at,
                current.version,
            )
        return current

    def _bump(self, initiative_id: int, values: dict[str, Any]) -> None:
        assignments = ", ".join(f'"{c}" = ?' for c in values)
        self._tx.execute(
            f"UPDATE initiatives SET {assignments}, version = version + 1, updated_at = ?,"
            " updated_by = ? WHERE id = ?",
            [*values.values(), self.now().isoformat(), self.user, initiative_id],
        )

    def update_initiative(self, initiative: Initiative, note: str = "") -> Initiative:
        """Save an edited initiative; refused if it was changed since `initiative.version`.

        `note` goes into the history with the change, e.g. the reason a stage gate was passed.
        """
        if initiative.id is None:
            raise NotFoundError("Initiativet har inget id; det måste skapas först.")
        with self.write() as conn:
            before = self._locked_current(initiative.id, initiative.version)
            changes = diff(content(before), content(initiative))
            if changes:
                self._bump(initiative.id, initiative_row(initiative))
                self._write_target_groups(conn, initiative.id, initiative.target_groups)
                reindex_lessons(conn, initiative.id)
                sync_automatic_items(conn, initiative.id)
                self._audit("update", "initiative", initiative.id, initiative.id, changes, note)
            return self.initiative(initiative.id)

    def set_stage(
        self, initiative_id: int, stage: Stage, expected_version: int, note: str = ""
    ) -> Initiative:
        """Move an initiative to another stage of the process; `note` records an override reason."""
        with self.write():
            before = self._locked_current(initiative_id, expected_version)
            if before.stage is not stage:
                self._bump(initiative_id, {"stage": stage.value})
                self._audit(
                    "stage",
                    "initiative",
                    initiative_id,
                    initiative_id,
                    {"stage": [before.stage.value, stage.value]},
                    note,
                )
            return self.initiative(initiative_id)

    def delete_initiative(self, initiative_id: int, expected_version: int) -> None:
        with self.write() as conn:
            before = self._locked_current(initiative_id, expected_version)
            conn.execute("DELETE FROM initiatives WHERE id = ?", (initiative_id,))
            reindex_lessons(conn, initiative_id)
            self._audit(
                "delete", "initiative", initiative_id, initiative_id, diff(content(before), None)
            )
