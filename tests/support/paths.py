"""Where the project lives, for tests that start the app or read its files."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
