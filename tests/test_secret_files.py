"""bot.secret_files: *_FILE secrets into the environment, generated secrets, TLS."""

from __future__ import annotations

import base64
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509

from bot import secret_files
from tools.processes import server_env


def test_load_sets_names_from_files_and_keeps_set_values(tmp_path: Path) -> None:
    (tmp_path / "db").write_text("s3cret\n")
    (tmp_path / "token").write_text("from-file")
    env = {
        "DB_PASSWORD_FILE": str(tmp_path / "db"),
        "RASA_AUTH_TOKEN_FILE": str(tmp_path / "token"),
        "RASA_AUTH_TOKEN": "already-set",
        "SSL_CERT_FILE": str(tmp_path / "db"),  # a path, not a secret: left alone
        "WEGWEISER_SECRET_NAMES": "OWN_KEY",
        "OWN_KEY_FILE": str(tmp_path / "token"),
    }
    assert secret_files.load(env) == ["DB_PASSWORD", "OWN_KEY"]
    assert env["DB_PASSWORD"] == "s3cret" and env["RASA_AUTH_TOKEN"] == "already-set"
    assert env["OWN_KEY"] == "from-file" and "SSL_CERT" not in env


def test_load_refuses_an_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(SystemExit):
        secret_files.load({"DB_PASSWORD_FILE": str(tmp_path / "empty")})


def test_init_creates_missing_secrets_once_with_their_modes(tmp_path: Path) -> None:
    target = tmp_path / "secrets"
    assert secret_files.init(target, ["console_secret_key", "db_password:0444"]) == [
        "console_secret_key",
        "db_password",
    ]
    key = (target / "console_secret_key").read_bytes().strip()
    assert len(base64.urlsafe_b64decode(key)) == 32  # what CONSOLE_SECRET_KEY needs
    assert stat.S_IMODE((target / "console_secret_key").stat().st_mode) == 0o440
    assert stat.S_IMODE((target / "db_password").stat().st_mode) == 0o444
    assert secret_files.init(target, ["console_secret_key", "db_password"]) == []
    assert (target / "console_secret_key").read_bytes().strip() == key  # stable


def test_tls_writes_a_self_signed_certificate_once(tmp_path: Path) -> None:
    assert secret_files.self_signed(tmp_path, "chat.example.org") is True
    cert = x509.load_pem_x509_certificate((tmp_path / "tls.crt").read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["chat.example.org"]
    assert stat.S_IMODE((tmp_path / "tls.key").stat().st_mode) == 0o440
    assert secret_files.self_signed(tmp_path, "other.example.org") is False


def test_exec_passes_file_secrets_as_environment_not_argv(tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("hunter2\n")
    code = "import os, sys; print(os.environ['DB_PASSWORD'], 'hunter2' in ' '.join(sys.argv))"
    result = subprocess.run(
        [sys.executable, "-m", "bot.secret_files", "exec", sys.executable, "-c", code],
        env=server_env(DB_PASSWORD_FILE=str(tmp_path / "pw")),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.split() == ["hunter2", "False"]
