"""The owner's private work: clips, capture, moments, consent, sharing, the helping question."""
