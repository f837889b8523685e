"""One run: its context, the unit of work (a piece of bytes in, a piece result out), the
pool, the driver that streams piece results in input order, and the report they add up to."""
