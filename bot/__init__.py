"""Wegweiser: the project's own Rasa components, channels, services and domain logic."""
