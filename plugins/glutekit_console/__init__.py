"""Live terminal display for glutekit sessions."""
