"""tools/merge_training_data.py: new training messages land in the right file, test texts never."""

from __future__ import annotations

from pathlib import Path

import yaml

from tools.merge_training_data import merge, texts_of_test_sets

NEW = """version: "3.1"
nlu:
- intent: inform
  metadata:
    language: de
  examples: |
    - ich habe B1
    - Ich  habe B1
    - ich wohne in Essen
- intent: ask_responsibility
  metadata:
    language: de
  examples: |
    - wer ist für mich zuständig in Hagen
- intent: delete_my_data
  metadata:
    language: de
  examples: |
    - lösch alles über mich
"""


def _nlu_dir(tmp_path: Path) -> Path:
    nlu = tmp_path / "nlu"
    for folder in (nlu, nlu / "guidance", nlu / "privacy"):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "de.yml").write_text('version: "3.1"\nnlu:\n', encoding="utf-8")
    return nlu


def test_messages_go_to_their_files_and_test_texts_stay_out(tmp_path):
    nlu = _nlu_dir(tmp_path)
    source = tmp_path / "new.yml"
    source.write_text(NEW, encoding="utf-8")
    counts = merge("Written by a helper", [source], nlu, excluded={"ich wohne in essen"})
    assert counts == {"added": 3, "dropped (training)": 1, "dropped (test set)": 1}
    main = yaml.safe_load((nlu / "de.yml").read_text(encoding="utf-8"))["nlu"]
    assert main == [
        {"intent": "inform", "metadata": {"language": "de"}, "examples": "- ich habe B1\n"}
    ]
    guidance = (nlu / "guidance" / "de.yml").read_text(encoding="utf-8")
    assert "# Written by a helper" in guidance and "zuständig in Hagen" in guidance
    assert "lösch alles" in (nlu / "privacy" / "de.yml").read_text(encoding="utf-8")


def test_every_sealed_set_counts_as_test_text():
    texts = texts_of_test_sets()
    for name in ("blind_closing", "blind_holdout", "dev_final"):
        folder = Path(__file__).parent / name
        first = yaml.safe_load((folder / "de.yml").read_text(encoding="utf-8"))["nlu"][0]
        message = first["examples"].splitlines()[0][2:]
        # annotations are stripped the way Rasa reads them; compare a plain prefix
        assert any(t for t in texts if t.startswith(message.split("[")[0].strip().casefold())), name
