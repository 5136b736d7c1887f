"""Secrets from files, for containers: ``NAME_FILE=/run/secrets/x`` becomes ``$NAME``.

Docker and Kubernetes hand secrets over as files; our services and Rasa's endpoints file
(``${DB_PASSWORD}``) read environment variables. This bridges the two without putting a
secret on a command line:

    python -m bot.secret_files exec python -m bot.web      # load *_FILE, then exec
    python -m bot.secret_files init /run/secrets/wegweiser rasa_auth_token db_password
    python -m bot.secret_files tls /etc/wegweiser-tls chat.example.org

``exec`` sets ``NAME`` from the file named by ``NAME_FILE`` for each secret in
SECRET_NAMES (a ``NAME`` already set wins) and replaces itself with the command.
``init`` creates each missing secret file with 32 random bytes in urlsafe base64 (the
format CONSOLE_SECRET_KEY needs), mode 0440 (or ``NAME:MODE``) and group
``$SECRETS_GROUP``, and leaves existing ones alone, so a compose stack gets stable
secrets on its first start. ``tls`` writes a self-signed certificate if none is there
(replace it with a real one).
"""

from __future__ import annotations

import base64
import datetime
import os
import sys
from collections.abc import MutableMapping, Sequence
from pathlib import Path

SUFFIX = "_FILE"

#: The secrets our services read. Only these: other tools use ``*_FILE`` variables for
#: paths that are no secrets (SSL_CERT_FILE, TF_CLI_CONFIG_FILE, ...).
SECRET_NAMES = (
    "RASA_AUTH_TOKEN",
    "RASA_JWT_SECRET",
    "DB_PASSWORD",
    "REDIS_PASSWORD",
    "WEGWEISER_PSEUDONYM_KEY",
    "WEGWEISER_SESSION_KEY",
    "CONSOLE_SECRET_KEY",
    "MODEL_SERVER_TOKEN",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "TELEGRAM_ACCESS_TOKEN",
    "TELEGRAM_SECRET_TOKEN",
    "MESSENGER_PAGE_ACCESS_TOKEN",
    "MESSENGER_APP_SECRET",
    "MESSENGER_VERIFY_TOKEN",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "WHATSAPP_ACCESS_TOKEN",
    "WHATSAPP_APP_SECRET",
    "WHATSAPP_VERIFY_TOKEN",
)
#: Comma-separated further names, for secrets of components added later.
EXTRA_NAMES_ENV = "WEGWEISER_SECRET_NAMES"


def load(env: MutableMapping[str, str]) -> list[str]:
    """Set each secret ``NAME`` from the file ``$NAME_FILE`` names; returns the names set."""
    names = [*SECRET_NAMES, *filter(None, env.get(EXTRA_NAMES_ENV, "").split(","))]
    loaded = []
    for name in names:
        path = env.get(name + SUFFIX)
        if not path or env.get(name):
            continue
        value = Path(path).read_text(encoding="utf-8").strip()
        if not value:
            raise SystemExit(f"{name}{SUFFIX}={path} is empty")
        env[name] = value
        loaded.append(name)
    return loaded


def init(directory: Path, names: Sequence[str], group: int | None = None) -> list[str]:
    """Create the missing secret files in ``directory``; returns the names created."""
    directory.mkdir(parents=True, exist_ok=True)
    created = []
    for spec in names:
        # NAME or NAME:MODE (octal), e.g. db_password:0444 for a database image whose
        # own user must read the file too.
        name, _, mode_text = spec.partition(":")
        mode = int(mode_text, 8) if mode_text else 0o440
        path = directory / name
        if path.exists():
            continue
        value = base64.urlsafe_b64encode(os.urandom(32))
        # O_EXCL + mode at creation: never readable by others, not even briefly.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
        with os.fdopen(fd, "wb") as handle:
            handle.write(value + b"\n")
        if group is not None:
            os.chown(path, -1, group)
        path.chmod(mode)
        created.append(name)
    return created


def self_signed(directory: Path, hostname: str, days: int = 365) -> bool:
    """Write tls.crt/tls.key for ``hostname`` unless a certificate is there; True if new."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    cert_path, key_path = directory / "tls.crt", directory / "tls.key"
    if cert_path.exists() and key_path.exists():
        return False
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(hostname)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o440)
    with os.fdopen(fd, "wb") as handle:
        handle.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return True


def main(argv: Sequence[str]) -> None:
    """``exec CMD...`` | ``init DIR NAME...`` | ``tls DIR HOSTNAME``."""
    if len(argv) >= 2 and argv[0] == "exec":
        load(os.environ)
        os.execvp(argv[1], list(argv[1:]))
    elif len(argv) >= 3 and argv[0] == "init":
        group = int(os.environ["SECRETS_GROUP"]) if os.environ.get("SECRETS_GROUP") else None
        created = init(Path(argv[1]), argv[2:], group)
        print(f"secrets: created {', '.join(created) or 'none'} in {argv[1]}")
    elif len(argv) == 3 and argv[0] == "tls":
        made = self_signed(Path(argv[1]), argv[2])
        print(f"tls: {'self-signed certificate written' if made else 'certificate present'}")
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
