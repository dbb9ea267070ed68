"""Several instances starting together on one data folder agree on one secret key."""

from __future__ import annotations

import threading

from verp.core.config import Settings, load_settings


def _start_together(settings: Settings, count: int = 8) -> tuple[list[str], list[Exception]]:
    """``count`` threads ask for the secret key at the same moment, as instances starting together do."""
    start = threading.Barrier(count)
    keys: list[str] = []
    errors: list[Exception] = []

    def start_instance() -> None:
        start.wait()
        try:
            keys.append(settings.secret_key())
        except Exception as exc:  # noqa: BLE001 - any error is the failure this test looks for
            errors.append(exc)

    threads = [threading.Thread(target=start_instance) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return keys, errors


def test_instances_starting_together_make_one_secret_key_and_no_errors(tmp_path, monkeypatch):
    monkeypatch.delenv("VERP_SECRET_KEY", raising=False)
    for attempt in range(20):
        settings = load_settings({"VERP_DATA_DIR": str(tmp_path / f"data{attempt}")})
        keys, errors = _start_together(settings)
        assert errors == []
        assert len(set(keys)) == 1 and len(keys[0]) > 40
        assert settings.secret_key() == keys[0]  # the key on disk is the one everyone read
        assert sorted(p.name for p in settings.data_dir.iterdir()) == ["secret.key"]  # no temporary left


def test_the_key_file_is_read_once_however_many_links_are_signed(tmp_path, monkeypatch):
    monkeypatch.delenv("VERP_SECRET_KEY", raising=False)
    settings = load_settings({"VERP_DATA_DIR": str(tmp_path / "data")})
    first = settings.secret_key()
    reads = []
    monkeypatch.setattr(type(settings.data_dir), "read_text", lambda path, *a, **k: reads.append(path))
    assert [settings.secret_key() for _ in range(5)] == [first] * 5
    assert reads == []  # a page signs several links each run; none of them reads the file again
