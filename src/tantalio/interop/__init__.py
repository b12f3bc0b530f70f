"""Exports for other tools: CASE/UCO JSON-LD (:mod:`.case_uco`) and Timesketch JSONL
(:mod:`.timesketch`). Both read the store only."""
