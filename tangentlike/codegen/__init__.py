"""Code generation: the generated module (``module``), printed (``render``),
compiled under a linecache name (``compile``) with the map back to the user's
lines (``linemap``), reading the user's globals as they are (``globals``).
"""
