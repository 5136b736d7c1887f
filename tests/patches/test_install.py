"""bot.patches.install: one explicit place, refuses a Rasa it was not written for."""

from __future__ import annotations

import subprocess
import sys

import pytest
import rasa

from bot import patches
from bot.rasa_server import with_token


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


def test_token_comes_from_the_environment_not_argv():
    argv = ["run", "--enable-api", "--port", "5005"]
    assert with_token(argv, "s3cret") == [*argv, "--auth-token", "s3cret"]
    assert with_token(["run"], "s3cret") == ["run"]  # no API, no token needed
    with pytest.raises(SystemExit, match="needs a token"):
        with_token(argv, None)
