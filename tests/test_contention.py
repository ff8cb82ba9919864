"""Contention: eight processes write one database file at once and no acknowledged write is lost.

Each worker updates its own initiative and a few shared ones through the real `Store`; on a
`ConflictError` it re-reads and tries again, as a user does. Afterwards every acknowledged
update must be in the file, in the audit log once, at the version it was acknowledged with.
"""

from __future__ import annotations

import json
import multiprocessing
import queue
import random
import sqlite3
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import pytest

from dialogtui.store import ConflictError, Store, StoreError
from tests.factories import make_initiative

WORKERS = 8
SHARED = 3
MAX_RETRIES = 1_000


@dataclass
class Ack:
    """One update the store acknowledged: what was written, and at which version."""

    initiative_id: int
    worker: int
    seq: int
    title: str
    purpose: str
    written_version: int
    returned_version: int
    returned_title: str


@dataclass
class WorkerResult:
    worker: int
    acks: list[Ack] = field(default_factory=list)
    conflicts: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


def user_of(worker: int) -> str:
    return f"arbetare{worker}"


def contention_worker(
    db_path: str,
    worker: int,
    own_id: int,
    shared_ids: list[int],
    updates: int,
    start: Barrier,
    results: Queue[WorkerResult],
) -> None:
    """Do `updates` acknowledged updates, half on shared initiatives; report via `results`."""
    result = WorkerResult(worker)
    rng = random.Random(1000 + worker)
    store: Store | None = None
    try:
        store = Store(db_path, user=user_of(worker))
        # Everyone starts writing at once, or the early starters finish before the late ones come.
        start.wait(timeout=120)
        began = time.perf_counter()
        for seq in range(updates):
            target = rng.choice(shared_ids) if rng.random() < 0.5 else own_id
            title = f"Arbetare {worker} uppdatering {seq}"
            purpose = f"Skrivet av arbetare {worker} som uppdatering {seq} av {target}."
            for _ in range(MAX_RETRIES):
                base = store.initiative(target)
                try:
                    saved = store.update_initiative(
                        base.model_copy(update={"title": title, "purpose": purpose})
                    )
                except ConflictError:
                    result.conflicts += 1
                    continue
                result.acks.append(
                    Ack(
                        initiative_id=target,
                        worker=worker,
                        seq=seq,
                        title=title,
                        purpose=purpose,
                        # The version check passed against base.version, so this write made +1.
                        written_version=base.version + 1,
                        returned_version=saved.version,
                        returned_title=saved.title,
                    )
                )
                break
            else:
                result.errors.append(f"update {seq} of {target}: {MAX_RETRIES} conflicts in a row")
        result.seconds = time.perf_counter() - began
    except StoreError as exc:
        result.errors.append(f"StoreError: {exc}")
    except Exception:
        result.errors.append(traceback.format_exc())
    finally:
        if store is not None:
            store.close()
        results.put(result)


def run_workers(
    db_path: Path, own_ids: list[int], shared_ids: list[int], updates: int, timeout: float
) -> list[WorkerResult]:
    # spawn: the parent (pytest) may hold threads, and fork would copy their locks mid-use.
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    start = ctx.Barrier(len(own_ids))
    processes = [
        ctx.Process(
            target=contention_worker,
            args=(str(db_path), worker, own_id, shared_ids, updates, start, results),
        )
        for worker, own_id in enumerate(own_ids)
    ]
    for process in processes:
        process.start()
    collected: list[WorkerResult] = []
    deadline = time.monotonic() + timeout
    try:
        # Drain before joining: a child with unflushed queue data never exits.
        while len(collected) < len(processes):
            try:
                collected.append(results.get(timeout=max(0.1, deadline - time.monotonic())))
            except queue.Empty:
                codes = [p.exitcode for p in processes]
                pytest.fail(f"only {len(collected)} of {len(processes)} reported; exits {codes}")
    finally:
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
    return sorted(collected, key=lambda r: r.worker)


def update_rows(store: Store, initiative_id: int) -> list[tuple[str, dict[str, list[Any]]]]:
    """(user, changes) of the initiative's 'update' audit rows, oldest first."""
    with store.connection() as conn:
        rows = conn.execute(
            "SELECT user, changes FROM audit_log WHERE initiative_id = ? AND entity = 'initiative'"
            " AND action = 'update' ORDER BY id",
            (initiative_id,),
        ).fetchall()
    return [(user, json.loads(changes)) for user, changes in rows]


def assert_history(store: Store, initiative_id: int, acks: list[Ack], first_title: str) -> None:
    """The initiative went through exactly the acknowledged versions, in order, once each."""
    acks = sorted(acks, key=lambda a: a.written_version)
    # Distinct and consecutive: version 1 is the creation, each acknowledged update made one more.
    assert [a.written_version for a in acks] == list(range(2, len(acks) + 2))
    final = store.initiative(initiative_id)
    assert final.version == 1 + len(acks)
    if acks:
        assert (final.title, final.purpose) == (acks[-1].title, acks[-1].purpose)
    # update_initiative re-reads after its commit, so it may hand back a later writer's version;
    # that must still be a real state of the record, never an older one or a mix.
    title_at = {a.written_version: a.title for a in acks}
    for ack in acks:
        assert ack.returned_version >= ack.written_version
        assert title_at[ack.returned_version] == ack.returned_title
    rows = update_rows(store, initiative_id)
    assert len(rows) == len(acks), "one audit row per acknowledged update"
    # Titles are unique per update, so the audit rows must chain: each starts where the last ended.
    before = first_title
    for (user, changes), ack in zip(rows, acks, strict=True):
        assert changes["title"] == [before, ack.title]
        assert changes["purpose"][1] == ack.purpose
        assert user == user_of(ack.worker)
        before = ack.title


@pytest.mark.parametrize(
    ("updates", "timeout"),
    [
        pytest.param(25, 120.0, id="8x25"),
        pytest.param(200, 600.0, id="8x200", marks=pytest.mark.slow),
    ],
)
def test_concurrent_writers_lose_nothing(db_path: Path, updates: int, timeout: float) -> None:
    with Store(db_path, user="koordinator") as setup:
        ids = setup.create_initiatives(
            [make_initiative(title=f"Gemensam {k}") for k in range(SHARED)]
            + [make_initiative(title=f"Egen {w}") for w in range(WORKERS)]
        )
    shared_ids, own_ids = ids[:SHARED], ids[SHARED:]

    results = run_workers(db_path, own_ids, shared_ids, updates, timeout)

    # Nobody saw "Databasen är upptagen" (or anything else): every worker did all its updates.
    assert [r.errors for r in results] == [[] for _ in results]
    assert [len(r.acks) for r in results] == [updates] * WORKERS
    acks = [a for r in results for a in r.acks]
    with Store(db_path, user="granskare") as store:
        for worker, own_id in enumerate(own_ids):
            own = [a for a in acks if a.initiative_id == own_id]
            assert {a.worker for a in own} == {worker}
            # Nobody else writes it, so what update_initiative returned is exactly what was written.
            assert all(
                (a.returned_version, a.returned_title) == (a.written_version, a.title) for a in own
            )
            assert_history(store, own_id, own, f"Egen {worker}")
        for k, shared_id in enumerate(shared_ids):
            assert_history(
                store, shared_id, [a for a in acks if a.initiative_id == shared_id], f"Gemensam {k}"
            )
        assert store.check() == []
    # The shared initiatives must really have been written by many, or the test proved little.
    for shared_id in shared_ids:
        assert len({a.worker for a in acks if a.initiative_id == shared_id}) > WORKERS // 2
    shared_acks = sum(1 for a in acks if a.initiative_id in shared_ids)
    conflicts = sum(r.conflicts for r in results)
    stale = sum(1 for a in acks if a.returned_version != a.written_version)
    print(
        f"\n{WORKERS}×{updates}: {len(acks)} updates, {shared_acks} shared, {conflicts} conflicts"
        f" retried, {stale} returned a later version;"
        f" slowest worker {max(r.seconds for r in results):.2f} s"
    )


def test_update_returns_the_version_it_wrote(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    anna = Store(db_path, user="anna")
    bo = Store(db_path, user="bo")
    created = anna.create_initiative(make_initiative())
    assert created.id is not None
    committing = anna.write

    @contextmanager
    def write_then_bo_saves() -> Iterator[sqlite3.Connection]:
        with committing() as conn:
            yield conn
        # Bo saves in the moment between Anna's commit and the re-read of what she saved.
        latest = bo.initiative(created.id or 0)
        bo.update_initiative(latest.model_copy(update={"title": "Bos titel"}))

    monkeypatch.setattr(anna, "write", write_then_bo_saves)
    saved = anna.update_initiative(created.model_copy(update={"title": "Annas titel"}))
    assert (saved.version, saved.title, saved.updated_by) == (2, "Annas titel", "anna")
