"""Staff account administration from the command line (``python -m bot.staff``)."""
