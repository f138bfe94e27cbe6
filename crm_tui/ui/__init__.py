"""The full-screen app (Textual): thin screens over the core's services. It gets plain data from them, in thread
workers, and never imports peewee models, the CLI or the SSH server."""
