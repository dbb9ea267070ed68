"""The domain package must work without Streamlit: only app.py, pages/ and verp/ui/ import it."""

import ast
import subprocess
import sys

from tests.support.paths import ROOT


def _imports(path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_module_below_verp_imports_streamlit_except_verp_ui():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "verp").rglob("*.py")
        if "ui" not in path.relative_to(ROOT / "verp").parts
        and any(name.split(".")[0] in {"streamlit", "streamlit_webrtc"} for name in _imports(path))
    ]
    assert offenders == []


def test_the_domain_package_imports_without_streamlit_installed():
    code = (
        "import sys; sys.modules['streamlit'] = None\n"
        "import pkgutil, importlib, verp\n"
        "for m in pkgutil.walk_packages(verp.__path__, 'verp.'):\n"
        "    if not m.name.startswith(('verp.ui', 'verp.core.migrations')):\n"
        "        importlib.import_module(m.name)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
