"""Guidance ("which office is responsible for me?"): decision table, answers, form steps.

Plain Python, no Rasa: ``rules`` reads data/guidance/rules.yml and decides,
``answers`` reads free-text answers in eight languages, ``form`` decides what the
form does with one user message, ``result`` turns a decision into replies.
actions/guidance.py is the thin rasa-sdk layer on top.
"""
