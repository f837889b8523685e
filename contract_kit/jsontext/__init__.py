"""JSON as text: strict reading (duplicate keys, NaN, big numbers), compact writing, and
JSON Pointers mapped to a line and column. The lowest layer: imports nothing of contract-kit but
`violations`."""
