"""What to do with what a tracking plan does not name (the `unplanned` settings)."""

from __future__ import annotations

from typing import Literal, get_args

Policy = Literal["allow", "warn", "block"]
"""Nothing, a warning (reported, never failing a run), or an error."""
POLICIES: tuple[Policy, ...] = get_args(Policy)
