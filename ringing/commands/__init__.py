"""Sub-commands of the ``ringing`` command line, discovered by :func:`ringing.cli.build_parser`.

Each module here defines ``register(subparsers, group)`` where ``group`` is ``None``
for top-level commands (``ringing hermite``) and ``"simulate"`` for the
``ringing simulate ...`` family; a module states which with a module-level
``GROUP`` (default ``None``).  Each registered parser sets ``func`` to a handler
``handler(args) -> dict`` returning the JSON payload; the handler may also set
``args.table`` (a list of rows) for the readable output.
"""
