"""A small reader of deploy/docker/Dockerfile for the deployment tests (no Docker here)."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field

from bot.paths import PROJECT_ROOT

DOCKERFILE = PROJECT_ROOT / "deploy" / "docker" / "Dockerfile"


def stages() -> dict[str, list[tuple[str, str]]]:
    """Dockerfile stage name -> [(instruction, arguments)], continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    result: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, args = line.partition(" ")
        if instruction == "FROM":
            current = args.split(" AS ")[-1].strip()
            result[current] = [("FROM", args)]
        elif current is not None:
            result[current].append((instruction, args.strip()))
    return result


@dataclass
class Image:
    """What a target's container starts with: the parts of its config the tests need."""

    entrypoint: list[str] = field(default_factory=list)
    cmd: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    copies: list[tuple[str, str]] = field(default_factory=list)  # (source, destination)
    args: dict[str, str] = field(default_factory=dict)


def _env_pairs(text: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in shlex.split(text))


def image(target: str) -> Image:
    """The config of ``target``, following FROM through the Dockerfile's own stages."""
    found = stages()
    chain = []
    name: str | None = target
    while name in found:
        chain.append(name)
        base = found[name][0][1].split(" AS ")[0].strip()
        name = base if base in found else None
    result = Image()
    for stage in reversed(chain):
        for instruction, arg in found[stage][1:]:
            if instruction == "ENV":
                result.env.update(_env_pairs(arg))
            elif instruction == "ARG" and "=" in arg:
                key, _, value = arg.partition("=")
                result.args[key] = value
            elif instruction == "ENTRYPOINT":
                result.entrypoint, result.cmd = json.loads(arg), []
            elif instruction == "CMD":
                result.cmd = json.loads(arg)
            elif instruction == "COPY" and not arg.startswith("--from"):
                *sources, destination = shlex.split(arg)
                for source in sources:
                    source = re.sub(r"\$\{(\w+)\}", lambda m: result.args[m.group(1)], source)
                    result.copies.append((source.rstrip("/"), destination))
    return result
