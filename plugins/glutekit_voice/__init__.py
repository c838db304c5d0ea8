"""Spoken coaching for glutekit sessions, and a WAV export of a whole session."""
