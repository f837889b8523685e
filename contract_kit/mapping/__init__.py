"""The Antavo → Segment mapping: a valid record and the settings in, a message out."""
