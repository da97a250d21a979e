"""The ``attnlimits law REGIME`` subcommands: one module per regime, each with ``register(subparsers)``."""
