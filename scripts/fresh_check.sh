#!/usr/bin/env bash
# The README's two commands on a fresh machine, as far as one can be made here (run as root):
# a fresh clone of REPO (default: this checkout) in the home of a new non-root user, a fresh venv with only the
# torch build that .ci/run installs, Debian's Fashion-MNIST and Chromium hidden for the run (put back on exit).
# Usage: sudo bash scripts/fresh_check.sh [REPO]
set -u
REPO=$(cd "${1:-$(dirname "$0")/..}" && pwd)
U=lafcheck
restore() { [ -d /tmp/.fm_hidden ] && mv /tmp/.fm_hidden /usr/share/datasets/fashion-mnist
            for b in chromium chromedriver; do [ -e /usr/bin/$b.hidden ] && mv /usr/bin/$b.hidden /usr/bin/$b; done; }
trap restore EXIT
id "$U" >/dev/null 2>&1 || useradd -m "$U"
[ -d /usr/share/datasets/fashion-mnist ] && mv /usr/share/datasets/fashion-mnist /tmp/.fm_hidden
for b in chromium chromedriver; do [ -e /usr/bin/$b ] && mv /usr/bin/$b /usr/bin/$b.hidden; done
su "$U" -s /bin/bash -c "set -e
git config --global --add safe.directory '*'
cd ~ && rm -rf laf_nb venv && git clone -q '$REPO' laf_nb && cd laf_nb
python3 -m venv ~/venv && . ~/venv/bin/activate
python -m pip install -q torch==2.14.1 torchvision==0.29.1
echo '=== the main job'; pip install -q -e . && laf run 2>&1 | tail -8
echo '=== the tests'; pip install -q -e '.[dev]' && pytest -rs 2>&1 | tail -4"
