"""Our Rasa NLU components and the text models they use.

Components are referenced from config.yml by dotted path; beside them live the
tokenizer's folding, the gazetteer of cities and office types and language identification.
"""
