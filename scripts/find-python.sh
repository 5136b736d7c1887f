#!/usr/bin/env bash
# Prints the path of a working Python 3.10 (Rasa 3.6 needs it). A pyenv shim named
# python3.10 may exist without that version being active, so each candidate is run.
for candidate in "${PYTHON310:-}" python3.10 "$HOME"/.pyenv/versions/3.10*/bin/python3.10 \
                 /root/.pyenv/versions/3.10*/bin/python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do
  [ -n "$candidate" ] || continue
  if "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    command -v "$candidate" 2>/dev/null || echo "$candidate"
    exit 0
  fi
done
echo "Python 3.10 not found: install it or set PYTHON310=/path/to/python3.10" >&2
exit 1
