"""Settings from the environment: built once for each set of VERP_* values, anew when one changes."""

from verp.core.config import load_settings


def test_settings_are_kept_for_the_same_environment_and_follow_a_change(monkeypatch, tmp_path):
    monkeypatch.setenv("VERP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("VERP_MAX_UPLOAD_MB", "100")
    first = load_settings()
    assert load_settings() is first and first.max_upload_mb == 100
    monkeypatch.setenv("VERP_MAX_UPLOAD_MB", "200")
    assert load_settings().max_upload_mb == 200
    monkeypatch.setenv("VERP_DATA_DIR", "relative-data")
    monkeypatch.chdir(tmp_path)
    assert load_settings().data_dir == tmp_path / "relative-data"  # resolved in the working folder now
