"""bot.patches.install: one explicit place, refuses a Rasa it was not written for."""

from __future__ import annotations

import subprocess
import sys

import pytest
import rasa

from bot import patches


def test_install_is_idempotent_and_recorded():
    patches.install()
    patches.install()
    assert patches.installed()


def test_refuses_another_rasa_version(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(patches, "_installed", False)
    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    with pytest.raises(patches.PatchRefused, match="written for Rasa 3.6.21 but Rasa 3.7.0"):
        patches.install()


def test_importing_the_nlu_components_patches_nothing():
    """Loading a model (our components) must not change Rasa: only bot.rasa_server does."""
    code = (
        "import bot.nlu.gazetteer_extractor, bot.nlu.language_detector, bot.nlu.tokenizer\n"
        "from rasa.core.actions.action import RemoteAction\n"
        "from bot import patches\n"
        "assert not patches.installed()\n"
        "assert RemoteAction.run.__module__ == 'rasa.core.actions.action', RemoteAction.run\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
