"""What is kept and handed out: summaries, exports, retention, backups."""
