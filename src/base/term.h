/*
 * term.h: text from a service made safe for a terminal, and its width.
 *
 * A cluster name or an error description comes from the network: shown
 * raw, an ESC or a BEL in it could drive the user's terminal (move the
 * cursor, rewrite earlier lines, change the title).  Tables and error
 * lines therefore show such characters escaped, like `ls -b`: \a \b \t
 * \n \v \f \r, \xHH for the other C0 controls, DEL and bytes that are
 * not UTF-8, \uHHHH for the C1 controls and the bidirectional
 * overrides.  -q output stays raw (like jq -r): it is for programs.
 */
#ifndef IKSCTL_TERM_H
#define IKSCTL_TERM_H

#include <stddef.h>

#include "base/str.h"

/* term_escape: append s[n] to b with the characters above escaped. */
void term_escape(struct sbuf *b, const char *s, size_t n);

/*
 * term_width: the display columns of the UTF-8 text s (escaped first):
 * one per character, two for East Asian wide ones, none for combining
 * marks and zero-width characters.
 */
size_t term_width(const char *s);

#endif
