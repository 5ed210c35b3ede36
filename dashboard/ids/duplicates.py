"""Ids of the possible duplicates list (/duplicates), shared by its layout and callbacks."""

LANG = "duplicates-lang"
LIST = "duplicates-list"
MESSAGE = "duplicates-message"
DONE = "duplicates-done"  # bumped after an act, so the list redraws at once
TICK = "duplicates-tick"
MERGE = "duplicates-merge"  # pattern-matching: {"type": MERGE, "later": id, "earlier": id}
DISMISS = "duplicates-dismiss"  # likewise
