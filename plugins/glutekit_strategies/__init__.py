"""Built-in selection strategies for ``glutekit compose``."""
