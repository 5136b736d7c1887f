"""The web service: demo page, the chat widget's files, and (mounted later) the staff console."""
