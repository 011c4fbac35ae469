/*
 * main.c: iksctl's entry point.  It parses the global options, finds the
 * command and runs it; every failure ends here as one line on stderr
 * ("iksctl: <what>: <why>") and the exit status of errors.h.
 */
#include "base/errors.h"

#include <mbedtls/build_info.h>
#include <stdio.h>
#include <string.h>

static int
cmd_version(void)
{
	printf("iksctl %s (%s)\nmbedTLS %s\njsmn %s\n", IKSCTL_VERSION,
	    IKSCTL_TARGET, MBEDTLS_VERSION_STRING, IKSCTL_JSMN_VERSION);
	return 0;
}

static void
usage(FILE *f)
{
	fputs("usage: iksctl [global options] COMMAND [args]\n"
	    "commands: login logout accounts target token regions versions\n"
	    "          clusters cluster kube-credential kube api version help\n",
	    f);
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0)
		return cmd_version();
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "iksctl: %s: unknown command\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
