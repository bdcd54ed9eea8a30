#!/usr/bin/env bash
# Install, index the bundled sample corpus and serve the assistant on http://127.0.0.1:7860
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
.venv/bin/rathaus ingest samples/corpus --collection allgemein || echo "(some files were not indexed, see above)"
if [ -z "$(.venv/bin/rathaus users list)" ]; then
  # first start: one administrator with a random password, shown once
  password="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(12) + "-" + str(secrets.randbelow(90) + 10))')"
  .venv/bin/rathaus users add admin --password "$password" --role admin
  echo "Anmeldung im Browser: Benutzer 'admin', Passwort '$password' (ändern: rathaus users passwd admin --password ...)"
fi
exec .venv/bin/rathaus serve --host "${RATHAUS_HOST:-127.0.0.1}" --port "${RATHAUS_PORT:-7860}"
