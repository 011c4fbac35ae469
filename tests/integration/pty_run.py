#!/usr/bin/env python3
"""pty_run.py: run a command on a pseudo-terminal, as a person would.

usage: pty_run.py OUT ANSWER CMD...
The command gets a new pty as stdin, stdout and stderr. When its output
ends in a question (a line that does not end in a newline, after at
least one byte), ANSWER and a newline are typed ("-" types nothing and
closes the terminal's input with ^D). Everything the command wrote goes
to the file OUT, raw (carriage returns and escapes kept). Exits with the
command's exit status (128 + N for a signal), 124 after 60 s.
PTY_ANSWER_DELAY=S in the environment: a person who thinks S seconds
before typing.
"""
import os
import pty
import select
import sys
import time


def main():
    out, answer, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    buf, typed, t0, asked = b"", False, time.time(), None
    delay = float(os.environ.get("PTY_ANSWER_DELAY", "0"))
    while time.time() - t0 < 60:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                break
            if not data:
                break
            buf += data
        if not typed and asked is None and buf and (
                buf.endswith(b": ") or buf.endswith(b"] ")):
            asked = time.time()
        if not typed and asked is not None and time.time() - asked >= delay:
            os.write(fd, b"\x04" if answer == "-" else answer.encode() + b"\n")
            typed = True
    else:
        os.kill(pid, 9)
        open(out, "wb").write(buf)
        sys.exit(124)
    _, st = os.waitpid(pid, 0)
    open(out, "wb").write(buf)
    sys.exit(os.WEXITSTATUS(st) if os.WIFEXITED(st) else 128 + os.WTERMSIG(st))


main()
