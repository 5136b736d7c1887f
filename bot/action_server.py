"""The action server's entry point: rasa-sdk with our actions, without TensorFlow.

    python -m bot.action_server --actions actions --port 5055

spaCy (the personal-data notice tokenises with it) imports thinc, and thinc imports
TensorFlow whenever it is installed, which it is, for Rasa. Nothing in the action
server uses it, and it costs about 350 MiB per process. Marking thinc's optional
back-ends as absent in this process only (Rasa's own process keeps TensorFlow) leaves
the action server at the size the deployment limits assume (docs/deploy.md).
"""

from __future__ import annotations

import sys

#: thinc's optional back-ends: ``import <name>`` raises ImportError in this process.
UNUSED_BACKENDS = ("tensorflow", "torch", "cupy", "cupyx", "mxnet", "jax")


def main() -> None:
    """Block the unused back-ends, then run rasa-sdk's command line."""
    for name in UNUSED_BACKENDS:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
    from rasa_sdk.__main__ import main as rasa_sdk_main

    rasa_sdk_main()


if __name__ == "__main__":
    main()
