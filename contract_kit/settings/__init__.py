"""The configuration: where it is found, how it is read, what each key may hold."""
