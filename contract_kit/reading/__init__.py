"""Input into records: paths and folders, standard input, pieces of work, and the records
in a piece with their place in the file."""
