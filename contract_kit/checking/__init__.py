"""The contract as code: the bundled schemas, the compiled (fast) and reference (worded)
validators, instants and patterns. Judges a value; never reads files or maps records."""
