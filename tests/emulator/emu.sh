#!/bin/sh
# emu.sh: start or stop the local IBM Cloud emulator in the background.
#   tests/emulator/emu.sh start DIR [emulator flags]   waits up to 20 s for DIR/env
#   tests/emulator/emu.sh stop DIR                     SIGTERM, then waits for the exit
# The emulator's stdout/stderr go to DIR/emulator.out and DIR/emulator.err.
set -u
here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
	echo "usage: $0 start|stop DIR [emulator flags]" >&2
	exit 2
fi
shift 2
case $cmd in
start)
	mkdir -p "$dir" || exit 1
	rm -f "$dir/env" "$dir/pid"
	python3 "$here/emulator.py" --dir "$dir" "$@" \
		>"$dir/emulator.out" 2>"$dir/emulator.err" </dev/null &
	pid=$!
	echo "$pid" >"$dir/pid"
	i=0
	while [ ! -f "$dir/env" ]; do
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "emu.sh: emulator exited before it was ready:" >&2
			cat "$dir/emulator.err" >&2
			exit 1
		fi
		i=$((i + 1))
		if [ "$i" -ge 200 ]; then
			echo "emu.sh: emulator not ready after 20 s:" >&2
			cat "$dir/emulator.err" >&2
			kill "$pid" 2>/dev/null
			exit 1
		fi
		sleep 0.1
	done
	echo "emulator running, pid $pid; . $dir/env"
	;;
stop)
	pid=$(cat "$dir/pid" 2>/dev/null || sed -n 's/^EMU_PID=//p' "$dir/env" 2>/dev/null)
	if [ -z "$pid" ]; then
		echo "emu.sh: no emulator pid in $dir" >&2
		exit 1
	fi
	kill -TERM "$pid" 2>/dev/null || exit 0
	i=0
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1))
		if [ "$i" -ge 100 ]; then
			echo "emu.sh: emulator $pid did not stop in 10 s" >&2
			exit 1
		fi
		sleep 0.1
	done
	;;
*)
	echo "usage: $0 start|stop DIR [emulator flags]" >&2
	exit 2
	;;
esac
