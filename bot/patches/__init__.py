"""Our changes to Rasa 3.6.21 internals, installed explicitly in one place.

Rasa offers no hook for these, so they replace attributes of Rasa's classes. Each one
was written against the pinned release and is checked against Rasa's own function in
tests/patches/. ``install()`` is called by ``bot.rasa_server`` (how every Rasa server
of ours starts) and nowhere else; it refuses to run against another Rasa version,
because a replaced internal may have changed there.

- :mod:`bot.patches.speed`: action-response schema checked once, event classes cached,
  intent payloads not mistaken for ``{slot}`` placeholders (speed + log noise).
- :mod:`bot.patches.action_failure`: an unreachable, failing or slow action server
  gives the person a kind reply with the nationwide numbers instead of silence.
- :mod:`bot.patches.store_outage`: a database outage makes turns wait for the tracker
  store instead of running on an empty conversation that is then never stored.
- :mod:`bot.patches.turn_metrics`: every turn counted and timed for Prometheus.
- :mod:`bot.patches.notice_shortcut`: the personal-data notice action is called only
  when the message carries personal data and the notice is still due.
"""

from __future__ import annotations

import logging

import rasa

logger = logging.getLogger(__name__)

#: The Rasa release the patches were written and tested against (requirements/runtime.lock).
PINNED_RASA = "3.6.21"


class PatchRefused(RuntimeError):
    """Raised when the installed Rasa is not the release the patches were written for."""


_installed = False


def install() -> None:
    """Install every patch (idempotent); refuse on any other Rasa version."""
    global _installed
    if _installed:
        return
    if rasa.__version__ != PINNED_RASA:
        raise PatchRefused(
            f"bot.patches was written for Rasa {PINNED_RASA} but Rasa {rasa.__version__} is "
            "installed: the replaced internals may differ. Check each patch in bot/patches/ "
            "against the new release, run tests/patches/, then update PINNED_RASA."
        )
    from bot.patches import action_failure, notice_shortcut, speed, store_outage, turn_metrics

    speed.install()
    action_failure.install()
    store_outage.install()
    turn_metrics.install()
    notice_shortcut.install()
    _installed = True
    logger.debug("bot.patches installed for Rasa %s", rasa.__version__)


def installed() -> bool:
    """Whether :func:`install` has run in this process."""
    return _installed
