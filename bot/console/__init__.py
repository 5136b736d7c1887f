"""Staff console: review conversations, misunderstood messages, analytics, directory health.

An aiohttp sub-application (``bot.console.app.create_console_app``) that reads Rasa's SQL
tracker store and keeps its own tables in the same database (see ``bot.console.db``).
"""
