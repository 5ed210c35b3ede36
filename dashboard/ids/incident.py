"""Ids of the incident page (/incidents/<id>), shared by its layout and callbacks."""

from dashboard.ids.incidents import LIVE, LIVE_ANCHOR  # noqa: F401  (live.js's names)

ID = "incident-id"
LANG = "incident-lang"
SIGNATURE = "incident-signature"  # what was last rendered, so a live push redraws only changes
CLOCK_DATA = "incident-clock-data"
CLOCK = "incident-clock"
TICK = "incident-tick"
STATE = "incident-state"
MAP = "incident-map"
TIMELINE = "incident-timeline"
ESCALATE = "incident-escalate"
ESCALATE_CONFIRM = "incident-escalate-confirm"
NOTE = "incident-note"
MESSAGE = "incident-message"
PENDING = "incident-pending-level"
VERSION = "incident-version"  # the live data version, set only when it changes
ACKNOWLEDGE = "incident-acknowledge"
ACKNOWLEDGE_NOTE = "incident-acknowledge-note"
ACKNOWLEDGE_MESSAGE = "incident-acknowledge-message"
DUPLICATES = "incident-duplicates"  # the possible duplicates panel's content
DUP_MESSAGE = "incident-dup-message"
DUP_DONE = "incident-dup-done"  # bumped after an act, so the panel redraws at once
DUP_MERGE = "incident-dup-merge"  # pattern-matching: {"type": DUP_MERGE, "other": id}
DUP_DISMISS = "incident-dup-dismiss"  # likewise
DUP_UNMERGE = "incident-dup-unmerge"
