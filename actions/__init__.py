"""Thin rasa-sdk actions; the logic lives in bot/. Keep this package flat."""
