"""Golden snapshots: pairing inputs with goldens, a pointer-level diff, atomic updates."""
