"""The action server as deployed: rasa-sdk with our actions, TensorFlow kept out.

The deployment gives the action server 384 MiB (deploy/helm, deploy/compose.yml,
docs/deploy.md). Started as ``rasa run actions`` it imports TensorFlow through spaCy's
thinc and resides at ~525 MiB, which that limit would kill; ``python -m
bot.action_server`` must not load it, also after the action that uses spaCy has run.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from tools.processes import start_actions, stop

#: The memory limit of the action server in deploy/ (MiB).
DEPLOY_LIMIT_MIB = 384


def test_action_server_runs_without_tensorflow_within_its_memory_limit(tmp_path: Path):
    proc, url = start_actions(tmp_path / "actions.log")
    try:
        body = {
            "next_action": "action_validate_slot_mappings",
            "tracker": {
                "sender_id": "t",
                "slots": {},
                "latest_message": {"text": "meine Nummer ist 0176 12345678", "entities": []},
                "events": [],
            },
            "domain": {"responses": {}},
        }
        request = urllib.request.Request(
            url, json.dumps(body).encode(), {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            result = json.loads(response.read())
        # the personal-data notice ran: spaCy is loaded and in use
        assert [r["response"] for r in result["responses"]] == ["utter_personal_data_notice"]
        maps = Path(f"/proc/{proc.pid}/maps").read_text()
        assert "/spacy/" in maps  # the right process, with spaCy's compiled modules loaded
        assert "tensorflow" not in maps
        status = Path(f"/proc/{proc.pid}/status").read_text()
        rss_mib = int(status.split("VmRSS:")[1].split()[0]) // 1024
        assert rss_mib < DEPLOY_LIMIT_MIB, rss_mib
    finally:
        stop(proc)
