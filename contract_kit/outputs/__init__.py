"""Bytes out: writes that replace a file whole or not at all, and Segment batch bodies."""
