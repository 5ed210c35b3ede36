"""Who may do what. Roles, least to most trusted:

- wall: read-only, personal data masked (kiosks, and CC_API_TOKEN callers);
- leader: read-only figures and lists, personal data masked (leaders need the picture,
  not the callers' numbers); may act on incidents (escalate);
- staff: the command centre's operators: act on incidents and see personal data, because
  they call reporters back; the duty officers who acknowledge alerts (认领);
- admin: as staff, and manages people, tokens and kiosks (the CLI).

Every view of unmasked personal data is audited (dashboard.auth.unmask_allowed).
"""

from __future__ import annotations

from dataclasses import dataclass

from common.scope import COUNTY, Scope
from data_access.users import ROLES

UNMASK_ROLES = frozenset({"staff", "admin"})
ACT_ROLES = frozenset({"leader", "staff", "admin"})
ACKNOWLEDGE_ROLES = frozenset({"staff", "admin"})


@dataclass(frozen=True)
class Principal:
    """Whoever made the request: kind is 'user', 'kiosk' or 'token'; name is for the audit;
    scope is what every answer to them covers (common.scope)."""

    kind: str
    name: str
    role: str
    scope: Scope = COUNTY

    @property
    def sees_personal_data(self) -> bool:
        return self.role in UNMASK_ROLES

    @property
    def may_act(self) -> bool:
        return self.role in ACT_ROLES

    @property
    def may_acknowledge(self) -> bool:
        return self.role in ACKNOWLEDGE_ROLES


__all__ = ["ROLES", "UNMASK_ROLES", "ACT_ROLES", "ACKNOWLEDGE_ROLES", "Principal"]
