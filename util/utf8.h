/*
 * utf8: validation of UTF-8 input (configuration files, vendor strings).
 */
#ifndef USERPRUNE_UTF8_H
#define USERPRUNE_UTF8_H

#include <stddef.h>

/*
 * Length (1-4) of the valid UTF-8 sequence at p, or 0 when the bytes there
 * are not valid UTF-8 (overlong forms and surrogates are invalid).
 */
size_t utf8_valid_prefix(const unsigned char *p, size_t n);
/* Offset of the first invalid byte, or n when all of p[0..n) is valid. */
size_t utf8_check(const unsigned char *p, size_t n);

#endif
