"""The command line's commands, one module a group: each adds its subcommands (`add_parsers`) and names what
runs them (`RUNNERS`); cli/parser.py puts them together."""
