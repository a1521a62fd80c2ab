// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * scan_shape_start(): the leftmost start of a fixed-shape match, read
 * backwards from its end, for rules whose window database runs without
 * start-of-match tracking (scan_rule.start).  A shape is what the rule's
 * regex says, element by element; every way the elements can fill the
 * bytes before the end is tried (a shape has at most a few optional
 * bytes), and the leftmost start that also has the word boundary the
 * regex asks for wins, as Hyperscan's SOM_LEFTMOST would.
 */
#include <stdint.h>
#include <string.h>

#include "rules.h"

/* Byte c in a regex-style set: "0-9", " .-", "A-Za-z" (a '-' last is itself). */
static int in_set(const char *set, unsigned char c)
{
	const unsigned char *s = (const unsigned char *)set;

	while (*s) {
		if (s[1] == '-' && s[2]) {
			if (c >= s[0] && c <= s[2])
				return 1;
			s += 3;
		} else {
			if (c == *s)
				return 1;
			s++;
		}
	}
	return 0;
}

/* Hyperscan's \b without UCP: ASCII letters, digits and '_' are word bytes. */
static int is_word(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_';
}

/*
 * Leftmost start of el[0..k) ending at pos; SIZE_MAX when they cannot.
 * Elements of one width are stepped over; only a choice recurses.
 */
static size_t shape_back(const struct scan_shape *sh, unsigned int k, const char *t, size_t pos)
{
	for (; k; k--) {
		const struct scan_shape_el *el = &sh->el[k - 1];
		size_t best = SIZE_MAX, run = 0, c, s;

		while (run < el->max && run < pos && in_set(el->set, (unsigned char)t[pos - 1 - run]))
			run++;
		if (run < el->min)
			return SIZE_MAX;
		if (el->min == el->max) {
			pos -= run;
			continue;
		}
		for (c = el->min; c <= run; c++) {
			s = shape_back(sh, k - 1, t, pos - c);
			if (s < best)
				best = s;
		}
		return best;
	}
	if (sh->word_start &&
	    is_word(pos ? (unsigned char)t[pos - 1] : 0) == is_word((unsigned char)t[pos]))
		return SIZE_MAX;
	return pos;
}

size_t scan_shape_start(const struct scan_shape *alts, size_t n, const char *t, size_t end)
{
	size_t best = SIZE_MAX, i, s;

	for (i = 0; i < n; i++) {
		s = shape_back(&alts[i], alts[i].n, t, end);
		if (s < best)
			best = s;
	}
	/* no way to match: not a match of this shape, keep it empty */
	return best == SIZE_MAX ? end : best;
}
