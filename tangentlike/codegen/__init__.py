"""Code generation: the generated module (``module``), printed (``render``) with
the user's lines quoted (``comments``) or standalone, with the runtime helpers it
calls (``standalone``), compiled under a linecache name (``compile``) with the map
back to the user's lines (``linemap``), reading the user's globals as they are
(``globals``); kept on disk for later processes under a key of what it depends
on (``fingerprint``, ``disk``, ``stored``); and the computation graph drawn
(``graph``).
"""
