"""Render a thread (or a filtered view of it) as text for pipes and scripts: `--print`."""
