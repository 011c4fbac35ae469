#!/bin/sh
# step.sh CMD ARGS...: run one process of a traced scenario run (bench only).
#
# Runs CMD under strace (socket syscalls, for the bytes on the wire) and
# /usr/bin/time -f %M (its peak RSS; time waits for CMD itself, so strace
# does not count), then waits until the emulator has logged the close of
# every connection CMD opened, so that the log lines between the two marks
# belong to this process alone.  Appends one line to $TRACE/steps:
#   NAME|RSS_KB|LOG_LINE_BEFORE|LOG_LINE_AFTER|STRACE_FILE|STATUS
# and exits with CMD's status.
: "${TRACE:?}" "${EMU_LOG:?}"
m0=$(wc -l < "$EMU_LOG")
st=$(mktemp "$TRACE/strace.XXXXXX")
rf=$(mktemp "$TRACE/rss.XXXXXX")
strace -f -qq -s 0 -o "$st" \
	-e trace=socket,close,read,write,readv,writev,sendto,recvfrom,sendmsg,recvmsg \
	/usr/bin/time -f %M -o "$rf" "$@"
rc=$?
# Wait (up to 3 s) for one close event per conn event after the mark.
i=0
while :; do
	tail -n +"$((m0 + 1))" "$EMU_LOG" > "$rf.log"
	o=$(grep -c '"event":"conn"' "$rf.log")
	c=$(grep -c '"event":"close"' "$rf.log")
	[ "$o" -le "$c" ] && break
	i=$((i + 1))
	[ $i -ge 150 ] && break
	sleep 0.02
done
m1=$(wc -l < "$EMU_LOG")
rm -f "$rf.log"
echo "$(basename "$1")|$(tail -n 1 "$rf")|$m0|$m1|$st|$rc" >> "$TRACE/steps"
exit $rc
