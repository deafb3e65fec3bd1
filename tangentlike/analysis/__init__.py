"""Analyses: facts about a function that the stages above read and never change.

What a name denotes (``scope``), which names are active (``activity``), read
later (``liveness``), may share an array (``points_to``); which functions are
the user's (``callees``); for generated code, the shapes of names (``shapes``,
``shape_classes``) and the pairs of saves and restores (``saves``).
"""
