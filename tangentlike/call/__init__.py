"""What a derivative does when called: the front function the user gets
(``front``), the derivative behind it (``derivative``, ``jvp``), the checks of
arguments and results (``arguments``), notes on errors (``tracebacks``), and a
plain generated form to differentiate again (``plain``).
"""
