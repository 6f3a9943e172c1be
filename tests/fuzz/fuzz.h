/*
 * fuzz.h — what every libFuzzer target shares: CHECK(c) aborts with the
 * invariant's text when c is false, so libFuzzer saves the input.
 */
#ifndef LB_FUZZ_H
#define LB_FUZZ_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(c)                                                             \
	do {                                                                 \
		if (!(c)) {                                                  \
			fprintf(stderr, "%s:%d: invariant failed: %s\n",     \
				__FILE__, __LINE__, #c);                     \
			abort();                                             \
		}                                                            \
	} while (0)

#endif
