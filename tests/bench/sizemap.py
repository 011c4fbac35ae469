#!/usr/bin/env python3
"""sizemap.py MAP STRIPPED OFFICIAL: where the bytes of the x86_64 binary go (bench only).

MAP is a GNU ld map (-Wl,-Map) of a relink of the same objects with the
Makefile's flags; STRIPPED its stripped result; OFFICIAL build/.../iksctl.
Prints a markdown breakdown of the loaded sections (text, rodata, data)
by library and by object file.
"""
import os
import re
import sys
from collections import defaultdict

SKIP = (".bss", ".tbss", ".comment", ".debug", ".note", ".symtab", ".strtab", ".shstrtab", ".gnu.attributes",
        "/DISCARD/", ".stab")


def group(path):
    base = os.path.basename(path)
    m = re.match(r"(.*)\((.*)\)$", base)
    if m:
        lib, obj = m.group(1), m.group(2)
        if lib == "libmbedtls.a":
            return "mbedTLS", obj
        if lib == "libiksctl.a":
            return "iksctl (src/)", obj
        if lib == "libc.a":
            return "musl libc", obj
        return lib, obj
    if base == "main.o":
        return "iksctl (src/)", base
    return "toolchain (crt, libgcc)", base


def main():
    mp, stripped, official = sys.argv[1:4]
    by_group = defaultdict(int)
    by_obj = defaultdict(int)
    by_kind = defaultdict(lambda: defaultdict(int))
    out_sec = None
    pending = None
    started = False
    for line in open(mp, errors="replace"):
        line = line.rstrip("\n")
        if not started:
            started = line.startswith("Linker script and memory map")
            continue
        m = re.match(r"^(\.\S+|/DISCARD/)\s*(0x[0-9a-f]+)?", line)
        if m and not line.startswith(" "):
            out_sec = m.group(1)
            pending = None
            continue
        if out_sec is None or out_sec.startswith(SKIP):
            continue
        m = re.match(r"^ (\.\S+|\*fill\*|COMMON)(?:\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)(?:\s+(\S.*))?)?$", line)
        if m:
            if m.group(2) is None:
                pending = m.group(1)
                continue
            size = int(m.group(3), 16)
            path = m.group(4) or "*fill*"
        else:
            m = re.match(r"^\s{10,}0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$", line)
            if not (m and pending):
                continue
            size = int(m.group(2), 16)
            path = m.group(3)
            pending = None
        if size == 0:
            continue
        if path == "*fill*":
            g, o = "alignment padding", "*fill*"
        else:
            g, o = group(path)
        kind = "text" if out_sec.startswith(".text") or out_sec in (".init", ".fini") else \
            "rodata" if out_sec.startswith((".rodata", ".eh_frame")) else "data"
        by_group[g] += size
        by_obj[(g, o)] += size
        by_kind[g][kind] += size
    total = sum(by_group.values())
    ns, no = os.path.getsize(stripped), os.path.getsize(official)
    print("Size breakdown of the x86_64 binary: the same objects relinked with the Makefile's flags but "
          "`-fno-lto` (the fat objects' ordinary code; LTO cannot say which object a byte came from) and a "
          "link map. Stripped, that link is %d bytes; the shipped LTO build/x86_64-linux-musl/iksctl is %d. "
          "Loaded sections by origin (%d bytes; the rest of the file is ELF headers and alignment):"
          % (ns, no, total))
    print("")
    print("| origin | text | rodata | data | total | share |")
    print("|---|---|---|---|---|---|")
    for g, n in sorted(by_group.items(), key=lambda x: -x[1]):
        k = by_kind[g]
        print("| %s | %d | %d | %d | %d | %.1f%% |" % (g, k["text"], k["rodata"], k["data"], n, 100.0 * n / total))
    print("")
    print("Largest object files:")
    print("")
    print("| object | origin | bytes |")
    print("|---|---|---|")
    for (g, o), n in sorted(by_obj.items(), key=lambda x: -x[1])[:20]:
        print("| %s | %s | %d |" % (o, g, n))


if __name__ == "__main__":
    main()
