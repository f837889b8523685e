"""What to do with what a tracking plan does not name (the `unplanned` settings).

Events and properties take different policies, as in Segment Protocols: an unplanned property
can be left out of the message ("Omit Properties"), an unplanned event can only be let through
or blocked (leaving it out would be blocking it).
"""

from __future__ import annotations

from typing import Literal, get_args

EventPolicy = Literal["allow", "warn", "block"]
"""For track events without a schema: nothing, a warning (reported, never failing a run), or an
error."""
EVENT_POLICIES: tuple[EventPolicy, ...] = get_args(EventPolicy)

PropertyPolicy = Literal["allow", "warn", "block", "omit"]
"""For properties (traits) the event's schema does not declare: as for events, or `omit`:
`convert` leaves them out of the message it writes, with a warning for each."""
PROPERTY_POLICIES: tuple[PropertyPolicy, ...] = get_args(PropertyPolicy)
