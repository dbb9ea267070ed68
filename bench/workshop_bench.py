"""A full room: 30 phones each sending 10 reflections at once, through the functions Join calls.

    python bench/workshop_bench.py [--participants 30] [--each 10]

Runs on SQLite in a temporary folder (or ``VERP_DATABASE_URL`` if set). Every phone also resends one
reflection with the same client key, as a flaky school network would. Checks that every reflection is
stored exactly once, then prints p50/p95 submit time and the time to build the wall.
Targets: p95 submit ≤ 100 ms, wall of 300 ≤ 200 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, make_url, text  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402

from verp.core.accounts import create_person  # noqa: E402
from verp.core.config import load_settings  # noqa: E402
from verp.core.models import Clip, Moment, Reflection, Share  # noqa: E402
from verp.core.store import Store  # noqa: E402
from verp.room.principles import catalogue  # noqa: E402
from verp.workshop import (
    reflections,
    workshops,  # noqa: E402
)


def prepare(store: Store) -> workshops.WorkshopView:
    ana = create_person(store, "Ana Facilitator", "correct horse battery")
    ben = create_person(store, "Ben Teacher", "another long passphrase")
    w = workshops.create_workshop(store, ana.id, "Bench group", date.today(), ["attentive"])
    with store.transaction() as s:
        s.add(Clip(id="c" * 32, owner_id=ben.id, title="c", original_filename="c.mp4", stored_name="c/o.mp4"))
        s.flush()
        moment = Moment(clip_id="c" * 32, title="Circle time", start_s=0, end_s=10)
        s.add(moment)
        s.flush()
        s.add(Share(moment_id=moment.id, workshop_id=w.id))
    workshops.open_workshop(store, ana.id, w.id)
    workshops.set_auto_approve(store, ana.id, w.id, True)  # every reflection straight to the wall
    prompt = next(step for step in workshops.steps(store, w.id) if step.kind == "prompt")
    return workshops.go_to_step(store, ana.id, w.id, prompt.key)  # a prompt of the moment


def phone(store: Store, code: str, n: int, each: int, times: list[float], errors: list[str], start) -> None:
    keys = catalogue().keys
    try:
        joined = reflections.join_by_code(store, code, f"Phone {n}", client=f"10.0.0.{n}")
        start.wait()
        for i in range(each + 1):
            j = min(i, each - 1)  # the last send repeats the one before: a resend
            t0 = time.perf_counter()
            reflections.submit_reflection(
                store,
                joined.workshop_id,
                joined.token,
                f"Phone {n} noticed thing {j}",
                keys[(n + j) % len(keys)] if j % 3 else None,
                "noticed",
                client_key=f"p{n}-r{j}",
            )
            times.append(time.perf_counter() - t0)
    except Exception as exc:  # noqa: BLE001 - reported and counted, never lost silently
        errors.append(f"phone {n}: {exc!r}")
        start.abort()  # the others must not wait for this phone at the start line


def fresh_schema(url: str) -> str:
    """A new, empty schema on the server for this run, so the benchmark can run again and again."""
    name = f"verp_bench_{os.getpid()}_{int(time.time())}"
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{name}"'))
    engine.dispose()
    return make_url(url).update_query_dict({"options": f"-csearch_path={name}"}).render_as_string(False)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--each", type=int, default=10)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="verp-bench-")
    os.environ.setdefault("VERP_DATA_DIR", folder)
    if url := os.environ.get("VERP_DATABASE_URL"):
        os.environ["VERP_DATABASE_URL"] = fresh_schema(url)
    store = Store.open(load_settings())
    w = prepare(store)
    times: list[float] = []
    errors: list[str] = []
    start = threading.Barrier(args.participants)
    threads = [
        threading.Thread(target=phone, args=(store, w.join_code, n, args.each, times, errors, start))
        for n in range(args.participants)
    ]
    load = os.getloadavg()[0]
    t0, cpu0 = time.perf_counter(), time.process_time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    expected = args.participants * args.each
    with store.transaction() as s:
        stored = s.query(Reflection).count()
        distinct = s.query(Reflection.client_key).distinct().count()
    walls = []
    for _ in range(5):
        t1 = time.perf_counter()
        groups = reflections.wall(store, w.id)
        walls.append(time.perf_counter() - t1)
    shown = sum(len(g.reflections) for g in groups)
    if not times:
        print(f"no send finished; errors: {len(errors)}" + (f" — first: {errors[0]}" if errors else ""))
        return 1
    p50, p95 = statistics.median(times) * 1000, percentile(times, 95) * 1000
    wall_ms = statistics.median(walls) * 1000
    print(f"database: {store.settings.database_url.split('@')[-1]}; machine load before: {load:.1f}")
    print(f"participants: {args.participants}, reflections each: {args.each} (+1 resend each)")
    print(f"stored: {stored} rows, {distinct} distinct keys, expected {expected}; on the wall: {shown}")
    print(f"errors: {len(errors)}" + (f" — first: {errors[0]}" if errors else ""))
    print(
        f"submit: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {max(times) * 1000:.1f} ms; all in {elapsed:.2f} s"
    )
    print(f"CPU time of this process: {cpu * 1000 / len(times):.2f} ms a send (load-independent)")
    print(f"wall of {shown} reflections in {len(groups)} groups: {wall_ms:.1f} ms (median of 5)")
    ok = stored == distinct == shown == expected and not errors and p95 <= 100 and wall_ms <= 200
    print("targets met" if ok else "TARGETS NOT MET")
    store.engine.dispose()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
