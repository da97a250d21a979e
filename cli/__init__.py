"""The ``attnlimits`` command line: one module ``cmd_*`` per subcommand, found at start-up."""
