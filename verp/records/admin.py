"""Looking after a service: retention purge, backup and restore (``python -m verp admin ...``).

A backup is a folder in one portable format for SQLite and PostgreSQL alike, so it also moves a
service from a laptop's SQLite to a PostgreSQL server:

    manifest.json        format, schema revision, row counts, size and SHA-256 of every file (tables too)
    tables/<name>.jsonl  every row of every table, one JSON object a line
    clips/<id>/...       the files of every clip in the backup

The rows are read in one read-only transaction (a consistent snapshot while the app keeps running);
then the folders of exactly the clips in that snapshot are copied. The folder is written under a
temporary name and renamed when complete, so an interrupted backup never looks like a finished one.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Date, DateTime, MetaData, Table, func, select, text

from verp.core import accounts
from verp.core.config import Settings, load_settings
from verp.core.errors import VerpError
from verp.core.models import INTEGER_KEYED, utcnow
from verp.core.store import Store, alembic_config, make_engine, migrate, private_folder
from verp.records import erasure, retention

FORMAT = "verp-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
VERSION_TABLE = "alembic_version"


class AdminError(VerpError):
    """An administration job that cannot go ahead, with the reason."""


# ---------------------------------------------------------------- purge


def purge(store: Store) -> retention.PurgeReport:
    """Everything past its retention period (see :func:`verp.records.retention.purge`)."""
    return retention.purge(store)


# ---------------------------------------------------------------- backup


def backup(store: Store, dest: str | Path) -> dict:
    """Write a consistent backup of the database and clip files to the new folder ``dest``."""
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise AdminError(f"{dest} already exists and is not empty; choose a new folder.")
    work = dest.with_name(dest.name + ".partial")
    shutil.rmtree(work, ignore_errors=True)
    private_folder(work)  # it holds what the data folder holds: the app's user alone reads it
    (work / "tables").mkdir()
    with _snapshot(store) as connection:
        revision, counts, clip_ids = _dump_tables(connection, work / "tables")
    files, missing = _copy_clip_folders(store, clip_ids, work / "clips")
    table_files = {name: {"sha256": _sha256(work / "tables" / f"{name}.jsonl")} for name in counts}
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema_revision": revision,
        "made_at": utcnow().isoformat(),
        "database": store.engine.dialect.name,
        "tables": counts,
        "files": files,
        "table_files": table_files,
        "missing_files": missing,
    }
    (work / MANIFEST).write_text(json.dumps(manifest, indent=2))
    if dest.exists():
        dest.rmdir()
    os.replace(work, dest)
    return manifest


@contextmanager
def _snapshot(store: Store) -> Iterator[Connection]:
    """A read-only connection that sees the whole database as it was at one instant."""
    with store.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        with connection.begin() as transaction:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN")  # the driver would not start one for reads
            yield connection
            transaction.rollback()


def _dump_tables(connection: Connection, folder: Path) -> tuple[str | None, dict[str, int], list[str]]:
    meta = MetaData()
    meta.reflect(bind=connection, only=_ours)
    revision = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    counts, clip_ids = {}, []
    for table in meta.sorted_tables:
        if table.name == VERSION_TABLE:
            continue
        order = list(table.primary_key.columns) or list(table.columns)
        with (folder / f"{table.name}.jsonl").open("w") as out:
            count = 0
            for row in connection.execute(select(table).order_by(*order)).mappings():
                out.write(json.dumps({k: _portable(v) for k, v in row.items()}) + "\n")
                count += 1
                if table.name == "clip":
                    clip_ids.append(row["id"])
        counts[table.name] = count
    return revision, counts, clip_ids


def _portable(value):
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _copy_clip_folders(store: Store, clip_ids: list[str], dest: Path) -> tuple[dict, list[str]]:
    files, missing = {}, []
    for clip_id in clip_ids:
        source = store.clip_path(clip_id)
        if not source.is_dir():
            missing.append(clip_id)  # deleted after the snapshot was read
            continue
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            rel = path.relative_to(store.settings.clips_dir).as_posix()
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            files[f"clips/{rel}"] = {"size": target.stat().st_size, "sha256": _sha256(target)}
    return files, missing


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------- restore


CLIP_FILE = re.compile(r"clips/([0-9a-f]{32})(/[^/\\\x00]+)+")


def read_manifest(src: str | Path) -> dict:
    """The backup's manifest, after checking everything a restore will read, before it touches
    anything: every table whole (its checksum, and every row readable), and every file a plain file of
    a clip the backup holds, in that clip's folder, with the recorded checksum. A backup naming any
    other file (a signing key, the database, a path out of the data folder) is refused as damaged."""
    src = Path(src)
    try:
        manifest = json.loads((src / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise AdminError(f"{src} is not a VERP backup (no readable {MANIFEST}).") from exc
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise AdminError(f"{src} is not a VERP backup this version can read.")
    clip_ids: set = set()
    for name, count in manifest["tables"].items():
        ids = _whole_table_ids(src, name, count, manifest.get("table_files", {}).get(name))
        if name == "clip":
            clip_ids = ids
    for rel, facts in manifest["files"].items():
        if not _a_clip_file(src, rel, clip_ids) or _sha256(src / rel) != facts["sha256"]:
            raise AdminError(f"The backup is damaged: {rel} is missing, changed or not a clip's file.")
    return manifest


def _whole_table_ids(src: Path, name: str, count: int, facts: dict | None) -> set:
    """Check one table file, a row at a time: its checksum when recorded (backups made before tables
    had checksums have none), every line a JSON object, as many as the manifest counts. Returns the
    rows' ids."""
    path = src / "tables" / f"{name}.jsonl"
    if not path.is_file() or (facts is not None and _sha256(path) != facts.get("sha256")):
        raise AdminError(f"The backup is damaged: the {name} table is missing or changed.")
    ids, seen = set(), 0
    with path.open() as rows:
        for line in rows:
            try:
                row = json.loads(line)
            except ValueError:
                row = None
            if not isinstance(row, dict):
                raise AdminError(f"The backup is damaged: the {name} table cannot be read.")
            ids.add(row.get("id"))
            seen += 1
    if seen != count:
        raise AdminError(f"The backup is damaged: the {name} table is not whole.")
    return ids


def _a_clip_file(src: Path, rel: str, clip_ids: set) -> bool:
    """``rel`` names a plain file in the folder of one of the backup's clips, and nothing else."""
    match = CLIP_FILE.fullmatch(rel)
    if match is None or match.group(1) not in clip_ids:
        return False
    if any(part in (".", "..") for part in rel.split("/")):
        return False
    path = src / rel
    return path.is_file() and not path.is_symlink() and path.resolve().is_relative_to(src.resolve())


def restore(store_settings: Settings, src: str | Path, force: bool = False, end_shares: bool = False) -> dict:
    """Restore the backup in ``src`` into the data folder and database of ``store_settings``.

    Refuses a database or clips folder that already holds something, unless ``force`` (which first
    removes everything there). Every browser signed in when the backup was made is signed out (one
    signed out since must not be signed in again by it). ``end_shares`` ends every share the backup
    holds, for a backup older than someone's withdrawal: each owner shares again what they want shown.
    """
    src = Path(src)
    manifest = read_manifest(src)
    revision = manifest["schema_revision"]
    known = {r.revision for r in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if revision not in known:
        raise AdminError("This backup was made by a newer version of the app; upgrade the app first.")
    clips_dir = store_settings.clips_dir
    store_settings.data_dir.mkdir(parents=True, exist_ok=True)  # SQLite's file goes there
    engine = make_engine(store_settings.database_url)
    try:
        if _holds_data(engine, clips_dir):
            if not force:
                raise AdminError(
                    "The data folder or database already holds data; restore refuses to overwrite it. "
                    "Use --force to replace everything there with the backup."
                )
            _wipe(engine, clips_dir)
        for folder in (store_settings.data_dir, clips_dir, store_settings.tmp_dir):
            folder.mkdir(parents=True, exist_ok=True)
        migrate(engine, revision)
        with engine.begin() as connection:
            _load_tables(connection, src / "tables", manifest["tables"])
            _drop_clips_without_files(connection, manifest["missing_files"])
            _end_sessions(connection)
            if end_shares:
                _end_shares(connection)
        migrate(engine)
        _count_on_past_what_was_kept(engine)
        _restore_files(src, manifest, store_settings)
        return manifest
    finally:
        engine.dispose()


SKIPPED_NUMBERS = 1000


def _count_on_past_what_was_kept(engine) -> None:
    """A backup carries rows, not the database's counts of the numbers it gave: rows deleted before the
    backup had numbers past the largest kept, which links may still name. Every table keyed by a number
    counts on ``SKIPPED_NUMBERS`` past its largest, so none of them is given again."""
    with engine.begin() as connection:
        largest = {
            name: connection.execute(text(f"SELECT max(id) FROM {name}")).scalar() for name in INTEGER_KEYED
        }
        if all(n is None for n in largest.values()):
            return  # an empty backup: nothing was ever numbered
        for name, kept in largest.items():
            next_after = (kept or 0) + SKIPPED_NUMBERS
            if connection.dialect.name == "sqlite":
                connection.execute(text("DELETE FROM sqlite_sequence WHERE name = :n"), {"n": name})
                connection.execute(
                    text("INSERT INTO sqlite_sequence (name, seq) VALUES (:n, :s)"),
                    {"n": name, "s": next_after},
                )
                continue
            sequence = connection.execute(
                text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": name}
            ).scalar()
            if sequence:
                connection.execute(text("SELECT setval(:s, :v)"), {"s": sequence, "v": next_after})


def _holds_data(engine, clips_dir: Path) -> bool:
    if clips_dir.is_dir() and any(clips_dir.iterdir()):
        return True
    meta = MetaData()
    with engine.connect() as connection:
        meta.reflect(bind=connection, only=_ours)
        tables = [t for t in meta.sorted_tables if t.name != VERSION_TABLE]
        return any(connection.execute(select(func.count()).select_from(t)).scalar() for t in tables)


def _ours(name: str, _meta: MetaData) -> bool:
    """The app's tables; the task queue's own (procrastinate's, on PostgreSQL) hold no one's data."""
    return not name.startswith("procrastinate_")


def _wipe(engine, clips_dir: Path) -> None:
    meta = MetaData()
    with engine.begin() as connection:
        meta.reflect(bind=connection, only=_ours)
        meta.drop_all(bind=connection)
        if connection.dialect.name == "postgresql":
            from verp.core.pg_tasks import drop_procrastinate_schema

            drop_procrastinate_schema(connection)
    shutil.rmtree(clips_dir, ignore_errors=True)


def _load_tables(connection: Connection, folder: Path, counts: dict[str, int]) -> None:
    meta = MetaData()
    meta.reflect(bind=connection, only=_ours)
    for table in meta.sorted_tables:
        if table.name not in counts:
            continue
        dates = {c.name for c in table.columns if isinstance(c.type, Date)}
        stamps = {c.name for c in table.columns if isinstance(c.type, DateTime)}
        rows = []
        with (folder / f"{table.name}.jsonl").open() as f:
            for line in f:
                row = json.loads(line)
                for name in dates & row.keys():
                    row[name] = row[name] and date.fromisoformat(row[name])
                for name in stamps & row.keys():
                    row[name] = row[name] and datetime.fromisoformat(row[name])
                rows.append(row)
        if rows:
            connection.execute(table.insert(), rows)
        if rows and connection.dialect.name == "postgresql":
            _advance_sequence(connection, table.name)


def _end_sessions(connection: Connection) -> None:
    """Every sign-in session the backup holds, ended: a browser signed out since is not signed in again."""
    session = Table("session", MetaData(), autoload_with=connection)
    connection.execute(session.update().where(session.c.revoked_at.is_(None)).values(revoked_at=utcnow()))


def _end_shares(connection: Connection) -> None:
    """Every share the backup holds, ended: its owner shares again what they still want shown."""
    share = Table("share", MetaData(), autoload_with=connection)
    connection.execute(share.update().where(share.c.withdrawn_at.is_(None)).values(withdrawn_at=utcnow()))


def _drop_clips_without_files(connection: Connection, clip_ids: list[str]) -> None:
    """A clip deleted while the backup was being made: its owner wanted it gone, so it stays gone."""
    if clip_ids:
        clip = Table("clip", MetaData(), autoload_with=connection)
        connection.execute(clip.delete().where(clip.c.id.in_(clip_ids)))


def _advance_sequence(connection: Connection, table: str) -> None:
    """Rows came with their ids; move PostgreSQL's id counter past them so new rows do not collide."""
    sequence = connection.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table}).scalar()
    if sequence:
        connection.execute(
            text(f"SELECT setval(:s, (SELECT max(id) FROM {table}))"),  # table names come from reflection
            {"s": sequence},
        )


def _restore_files(src: Path, manifest: dict, settings: Settings) -> None:
    for rel in manifest["files"]:
        target = settings.data_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_name(target.name + ".part")
        shutil.copy2(src / rel, part)
        os.replace(part, target)


# ---------------------------------------------------------------- command line


def add_admin_commands(subparsers: argparse._SubParsersAction) -> None:
    """The ``admin`` group: purge, delete-account, backup, restore."""
    group = subparsers.add_parser("admin", help="retention purge, backup and restore")
    jobs = group.add_subparsers(dest="job", required=True)
    p = jobs.add_parser("purge", help="delete clips past their delete-by date and records past their period")
    p.set_defaults(func=_purge_command)
    p = jobs.add_parser("delete-account", help="delete a person's account and everything it owns")
    p.add_argument("name", help="the account's display name")
    p.add_argument("--yes", action="store_true", help="delete without asking again")
    p.set_defaults(func=_delete_account_command)
    p = jobs.add_parser("backup", help="write the database and clip files to a new folder")
    p.add_argument("dest")
    p.set_defaults(func=_backup_command)
    p = jobs.add_parser("restore", help="restore a backup folder into an empty data folder and database")
    p.add_argument("src")
    p.add_argument("--force", action="store_true", help="replace whatever the data folder holds")
    p.add_argument(
        "--end-shares",
        action="store_true",
        help="end every share in the backup: owners share again what they still want shown (for a backup "
        "older than someone's withdrawal)",
    )
    p.set_defaults(func=_restore_command)
    p = jobs.add_parser("grant-admin", help="make an account an administrator (sees the whole audit log)")
    p.add_argument("name", help="the account's display name")
    p.set_defaults(func=_grant_admin_command)


def _grant_admin_command(args: argparse.Namespace) -> int:
    store = Store.open(load_settings())
    try:
        person = accounts.grant_admin(store, args.name)
    except accounts.AccountError as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        store.engine.dispose()
    print(f"{person.display_name} is now an administrator.")
    return 0


def _purge_command(args: argparse.Namespace) -> int:
    report = purge(Store.open(load_settings()))
    for item in report.clips:
        print(f"deleted clip {item.clip_id} (delete by {item.delete_by})")
    print(f"{len(report.clips)} clip(s) deleted")
    print(
        f"{report.workshops} workshop record(s), {report.attempts} attempt(s), "
        f"{report.audit_rows} audit row(s) past their period deleted"
    )
    print(f"{report.stale_uploads} file(s) of uploads given up part-way deleted")
    return 0


def _delete_account_command(args: argparse.Namespace) -> int:
    store = Store.open(load_settings())
    person_id = erasure.person_named(store, args.name)
    if person_id is None:
        print(f"error: there is no account named {args.name!r}", file=sys.stderr)
        return 2
    goes = erasure.what_goes(store, person_id)
    print(f"Deleting account {person_id} removes, for good:")
    for line in goes.lines() or ["the account alone (it owns nothing else)"]:
        print(f"  - {line}")
    if not args.yes:
        print("Nothing deleted. Run again with --yes to delete it.")
        return 2
    try:
        erasure.delete_account(store, person_id, goes.display_name, actor="admin")
    except erasure.ErasureError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"account {person_id} deleted")
    return 0


def _backup_command(args: argparse.Namespace) -> int:
    try:
        manifest = backup(Store.open(load_settings()), args.dest)
    except AdminError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rows = sum(manifest["tables"].values())
    print(f"backup written to {args.dest}: {rows} rows, {len(manifest['files'])} files")
    return 0


def _restore_command(args: argparse.Namespace) -> int:
    try:
        manifest = restore(load_settings(), args.src, force=args.force, end_shares=args.end_shares)
    except AdminError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"restored {sum(manifest['tables'].values())} rows and {len(manifest['files'])} files")
    return 0


def run(argv: Sequence[str]) -> int:
    """``admin`` commands alone (for tests); ``python -m verp admin ...`` is the same."""
    parser = argparse.ArgumentParser(prog="python -m verp")
    add_admin_commands(parser.add_subparsers(dest="group", required=True))
    args = parser.parse_args(argv)
    return args.func(args)
