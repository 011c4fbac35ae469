#!/usr/bin/env python3
"""Checks the emulator against IBM's "Setting up the API" guide, replayed with curl.

Starts the emulator (via emu.sh) in a temporary directory, replays the guide's curl
commands (apikey token, accounts, scoped token, regions, clusters, delegated refresh token,
id_token, cluster, config zip, /version), then every error, every fault kind, the log and
TLS session resumption. Prints one line per check and, last, `N passed, N failed`;
exits non-zero if anything failed.  Usage: python3 tests/emulator/test_emulator.py

The guide is in emutest_guide.py, the errors, faults and log in emutest_errors.py, the
shared clients in emutest.py; this file runs them in that order, then its own checks.
"""
import os
import subprocess
import sys

from emutest import *  # noqa: F401,F403
import emutest_guide  # noqa: F401  (registers its tests, in this order)
import emutest_errors  # noqa: F401


@test
def zz_stop_leaves_env_and_log():
    p = subprocess.run([os.path.join(HERE, "emu.sh"), "stop", EMU_DIR], capture_output=True, text=True, timeout=20)
    eq(p.returncode, 0, "emu.sh stop (%s)" % p.stderr)
    try:
        os.kill(int(ENV["EMU_PID"]), 0)
        raise AssertionError("emulator still running")
    except ProcessLookupError:
        pass
    check(os.path.exists(os.path.join(EMU_DIR, "env")), "env left in place")
    ev = log_events()
    eq(ev[-1]["event"], "stop", "stop logged")


if __name__ == "__main__":
    sys.exit(main())
