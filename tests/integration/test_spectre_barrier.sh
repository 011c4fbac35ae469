#!/bin/sh
# test_spectre_barrier.sh: our patch for CVE-2026-115493 (Spectre-PHT into
# the table-based AES and GHASH, third_party/SECURITY.md #12) is in the
# code each target builds: a speculation barrier (lfence on x86_64, dsb sy
# + isb on aarch64) at the entry of the table paths of the AES key
# schedule and block function and of GCM's table setup and multiply; none
# on armv7, which builds no hardware path.  A Spectre attack itself cannot
# be run here; this checks the machine code that stops one.
. tests/integration/lib.sh

src=build/deps/mbedtls-3.6.7/library
n=$(grep -c "IKSCTL_SPEC_BARRIER();" "$src/aes.c" "$src/gcm.c" | awk -F: '{ s += $2 } END { print s }')
[ "$n" -ge 5 ] && ok "the patch is applied to the unpacked sources ($n barriers)" ||
	fail "the patch is not applied: $n barriers in $src"

# funcs OBJDUMP OBJ PATTERN: the functions of OBJ holding PATTERN, sorted.
funcs() {
	"$1" -d "$2" | awk -v pat="$3" '
		/^[0-9a-f]+ <.*>:$/ { f = $2; gsub(/[<>:]/, "", f) }
		$0 ~ pat { print f }' | sort -u | tr '\n' ' '
}
for t in x86_64-linux-musl:objdump:lfence aarch64-linux-musl:aarch64-linux-gnu-objdump:'dsb[[:space:]]+sy'; do
	triple=${t%%:*} rest=${t#*:} od=${rest%%:*} pat=${rest#*:}
	o=build/$triple/obj/mbedtls
	if [ ! -f "$o/aes.o" ] || ! command -v "$od" > /dev/null; then
		fail "$triple: $o/aes.o or $od missing"
		continue
	fi
	f=$(funcs "$od" "$o/aes.o" "$pat")
	case $f in *mbedtls_aes_crypt_ecb*) ok "$triple: barrier in mbedtls_aes_crypt_ecb" ;;
		*) fail "$triple: no barrier in mbedtls_aes_crypt_ecb (in: $f)" ;; esac
	case $f in *mbedtls_aes_setkey_enc*) ok "$triple: barrier in mbedtls_aes_setkey_enc" ;;
		*) fail "$triple: no barrier in mbedtls_aes_setkey_enc (in: $f)" ;; esac
	g=$("$od" -d "$o/gcm.o" | grep -cE "$pat")
	[ "$g" -ge 2 ] && ok "$triple: GCM's table setup and multiply have barriers ($g)" ||
		fail "$triple: $g barriers in gcm.o, want 2 or more"
	# The hardware block function itself passes none.
	hw=$o/aesni.o
	[ "$triple" = aarch64-linux-musl ] && hw=$o/aesce.o
	eq "$triple: none in the hardware code ($(basename "$hw"))" \
		"$("$od" -d "$hw" | grep -cE "$pat")" 0
	if [ -f "build/$triple/iksctl.unstripped" ]; then
		b=$("$od" -d "build/$triple/iksctl.unstripped" | grep -cE "$pat")
		[ "$b" -ge 4 ] && ok "$triple: the linked binary keeps them ($b)" ||
			fail "$triple: $b barriers in the linked binary"
	fi
done
o=build/armv7-linux-musleabihf/obj/mbedtls
if [ -f "$o/aes.o" ]; then
	a=$(arm-linux-gnueabihf-objdump -d "$o/aes.o" "$o/gcm.o" | grep -cE "dsb|isb")
	eq "armv7: no hardware path, no barrier" "$a" 0
fi
finish
