"""The front end: a live function to a normalized gast tree (``prepare``).

parse, closures, fence, resolve (``analysis.scope``), the alias gate, lower,
normalize: after it, every statement is one operation on names and constants,
and the body ends in one return.
"""
