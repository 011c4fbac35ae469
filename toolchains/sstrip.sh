#!/bin/sh
# sstrip.sh FILE: drop the section headers of a stripped static ELF
# executable, as OpenWrt's sstrip does.  The kernel (and qemu-user) load
# a program by its program headers alone; the section header table and
# its names (about 1 KB at the end of the file) are for linkers and
# debuggers, which have FILE.unstripped.  The file is cut where the last
# loaded segment's bytes end, and the ELF header's e_shoff, e_shentsize,
# e_shnum and e_shstrndx are zeroed.  Little-endian ELF32 and ELF64 only
# (the three targets); anything else is left as it is, with exit 1.
set -eu
f=$1

# byte OFFSET COUNT: the little-endian number at OFFSET.
num() {
	od -An -v -tu1 -j "$1" -N "$2" "$f" |
		awk '{ for (i = 1; i <= NF; i++) b[n++] = $i }
		    END { v = 0; for (i = n - 1; i >= 0; i--) v = v * 256 + b[i]; printf "%.0f\n", v }'
}
zero() { dd if=/dev/zero of="$f" bs=1 seek="$1" count="$2" conv=notrunc status=none; }

[ "$(od -An -c -N4 "$f" | tr -d ' ')" = "177ELF" ] || { echo "sstrip.sh: $f: not ELF" >&2; exit 1; }
[ "$(num 5 1)" = 1 ] || { echo "sstrip.sh: $f: not little-endian" >&2; exit 1; }
case $(num 4 1) in
1) phoff=$(num 28 4) phent=$(num 42 2) phnum=$(num 44 2) w=4 sh=32 shf=46 ;;
2) phoff=$(num 32 8) phent=$(num 54 2) phnum=$(num 56 2) w=8 sh=40 shf=58 ;;
*) echo "sstrip.sh: $f: unknown ELF class" >&2; exit 1 ;;
esac
# The end of the loaded bytes: the largest p_offset + p_filesz of PT_LOAD.
end=0 i=0
while [ "$i" -lt "$phnum" ]; do
	p=$((phoff + i * phent))
	if [ "$(num "$p" 4)" = 1 ]; then
		if [ "$w" = 8 ]; then off=$(num $((p + 8)) 8) fsz=$(num $((p + 32)) 8)
		else off=$(num $((p + 4)) 4) fsz=$(num $((p + 16)) 4); fi
		[ $((off + fsz)) -gt "$end" ] && end=$((off + fsz))
	fi
	i=$((i + 1))
done
[ "$end" -gt 0 ] && [ "$end" -le "$(wc -c < "$f")" ] ||
	{ echo "sstrip.sh: $f: no loadable segment" >&2; exit 1; }
zero "$sh" "$w"
zero "$shf" 6
truncate -s "$end" "$f"
