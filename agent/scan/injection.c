// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * PROMPT_INJECTION heuristics (score model in injection.h).
 *
 * Phrases are matched on words, not bytes: the text is cut into lowercase
 * ASCII words (apostrophes kept, so "you've" is one word) and each pattern
 * is a short sequence of word slots ("ignore|disregard|forget ...") with
 * up to `gap` filler words between slots.  Fillers come from a small list
 * ("all", "the", "previous", ...) unless a pattern says any word will do,
 * which keeps "ignore the typos in my previous message" apart from
 * "ignore all of the previous instructions".  Words are handled in chunks,
 * so memory stays bounded whatever the text size.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "injection.h"
#include "validate.h"

#define WORD_MAX       24              /* bytes kept per word (longer: truncated) */
#define CHUNK_WORDS    2048
#define CHUNK_OVERLAP  24              /* a pattern spans at most this many words */
#define SPANS_MAX      32              /* signal spans kept for findings */
#define NEST_MAX       2               /* decode depth: payload in a payload */

#define SLOT_BITS      256              /* pattern slots, one bit each (see the dictionary) */

struct slot_set {
	uint64_t b[SLOT_BITS / 64];
};

struct word {
	size_t start;
	size_t end;
	uint8_t len;
	char w[WORD_MAX + 1];
	struct slot_set set;    /* the slots this word fills */
};

struct inj_pat {
	const char *id;                 /* finding detail */
	enum injection_family fam;
	double w;                       /* weight, see the score model */
	uint8_t gap;                    /* filler words allowed between slots */
	uint8_t loose;                  /* any word may fill a gap */
	const char *slot[7];            /* "a|b|c*" alternatives; leading '?' = optional */
};

/* Words that may sit between the slots of a strict pattern. */
static const char *const fillers =
	"all|any|every|each|the|a|an|your|my|our|their|its|these|those|this|that|of|to|and|or|"
	"in|on|from|about|before|previously|so|far|just|completely|entirely|previous|prior|"
	"above|earlier|preceding|other|following|initial|original|current|existing|given|"
	"system|you|i|i've|you've|have|has|had|been|were|was|are|is|be|we|me|us|now|"
	"please|kindly|simply|totally|also|then|whatever|said|everything|rest|former|old";

#define VERB_OVERRIDE "ignore|ignoring|disregard*|forget|forgetting|skip|override|overriding|" \
		      "bypass|neglect|overlook|discard|abandon|dismiss|erase|scrap|ditch|nevermind"
#define TARGET_STRONG "instruction*|rule|rules|prompt|prompts|prompting|direction|directions|" \
		      "directive*|guideline*|guidance|command|commands|order|orders|constraint*|" \
		      "restriction*|polic*|programming|training|context|task|tasks|setting|settings|" \
		      "protocol*|safeguard*|filter|filters"
#define VERB_REVEAL   "repeat|print|reveal|show|output|display|tell|list|give|write|dump|leak|" \
		      "share|relay|recite|return|provide|what|what's|disclose|expose|paste|echo|" \
		      "spell|copy"
#define TARGET_PROMPT "prompt|prompts|prompting|instruction*|rules|directive*|guideline*|" \
		      "parameters|configuration|programming|message|context|preprompt|pre-prompt"

static const struct inj_pat pats[] = {
	/* --- instruction override --- */
	{ "instruction-override", INJ_OVERRIDE, 0.75, 4, 0, { VERB_OVERRIDE, TARGET_STRONG } },
	{ "instruction-override", INJ_OVERRIDE, 0.70, 3, 0,
	  { VERB_OVERRIDE, "told|instructed|taught|programmed|trained|said|asked" } },
	{ "instruction-override", INJ_OVERRIDE, 0.60, 2, 0, { VERB_OVERRIDE, "everything|anything" } },
	{ "instruction-override", INJ_OVERRIDE, 0.60, 1, 0,
	  { VERB_OVERRIDE, "above|previous|prior|preceding|earlier|foregoing|aforementioned" } },
	{ "instruction-override", INJ_OVERRIDE, 0.50, 2, 1,
	  { VERB_OVERRIDE, "text|input|content|evidence|messages|conversation|data" } },
	{ "instruction-override", INJ_OVERRIDE, 0.35, 0, 0, { VERB_OVERRIDE, "that|this|it" } },
	{ "instruction-override", INJ_OVERRIDE, 0.60, 3, 0,
	  { "do|don't|dont|stop|no|cease|never|not", "?not|longer", "follow*|obey*|adhere|comply|abide",
	    TARGET_STRONG "|them|it|these|those" } },
	{ "instruction-override", INJ_OVERRIDE, 0.50, 2, 0,
	  { "regardless|irrespective|instead", "of", TARGET_STRONG "|tasks" } },
	{ "instruction-override", INJ_OVERRIDE, 0.60, 2, 0,
	  { TARGET_STRONG "|information", "are|were|is|have", "?now|been|all",
	    "false|void|invalid|outdated|obsolete|cancelled|canceled|wrong|fake|null|revoked|"
	    "expired|superseded|replaced|out" } },
	{ "new-instructions", INJ_OVERRIDE, 0.45, 1, 0,
	  { "new|updated|revised|real|actual|true|hidden|additional|different",
	    "instruction*|rules|directive*|task|orders|objective|goal" } },
	{ "new-instructions", INJ_OVERRIDE, 0.60, 1, 0,
	  { "begin|start|starting|here|end", "?of|are", "new|updated|revised|out", "?of",
	    "?date", "instruction*|rules|directive*|orders" } },
	{ "new-instructions", INJ_OVERRIDE, 0.55, 0, 0, { "reprogram*|hijack*|overwrite|overwritten" } },
	{ "new-instructions", INJ_OVERRIDE, 0.50, 0, 0,
	  { "stop|halt|cancel|abort", "everything|all|anything" } },
	{ "new-instructions", INJ_OVERRIDE, 0.30, 0, 0, { "from", "now|this|here", "?on|point|forward|onwards" } },
	{ "new-instructions", INJ_OVERRIDE, 0.30, 0, 0,
	  { "important|urgent|critical|priority", "update|notice|message|instruction|instructions|override|change" } },
	{ "system-override", INJ_OVERRIDE, 0.55, 0, 0,
	  { "system|admin|administrator|developer|sudo|root|maintenance|emergency",
	    "note|override|update|upgrade|alert|command|notice|directive|instruction" } },
	/* --- role hijack --- */
	{ "role-hijack", INJ_ROLE, 0.45, 1, 0, { "you|you're|you'll", "?are|will|shall|must|have", "now" } },
	{ "role-hijack", INJ_ROLE, 0.65, 3, 1,
	  { "unrestricted|unfiltered|uncensored|jailbroken|amoral|unethical|unbound|unconstrained|"
	    "unshackled|lawless|limitless",
	    "ai|bot|chatbot|assistant|model|models|mode|version|character|persona|gpt|llm|entity|"
	    "system|agent" } },
	{ "jailbreak", INJ_ROLE, 0.60, 0, 0, { "jailbreak|jailbreaking|jailbroken|antigpt|anti-gpt|devmode" } },
	{ "jailbreak", INJ_ROLE, 0.80, 0, 0, { "do", "anything", "now" } },
	{ "developer-mode", INJ_ROLE, 0.60, 0, 0,
	  { "god|opposite|evil|unrestricted|jailbreak|dan|unlocked|unfiltered|uncensored", "mode" } },
	/* "developer mode" is also an Android setting: weak alone */
	{ "developer-mode", INJ_ROLE, 0.45, 0, 0, { "developer|dev|sudo|admin|debug", "mode" } },
	{ "developer-mode", INJ_ROLE, 0.60, 1, 0,
	  { "safe|safety|content|filter|filters|guardrail*", "?mode|filter|filters", "off|disabled|deactivated" } },
	{ "no-restrictions", INJ_ROLE, 0.45, 1, 0,
	  { "not|never|no|longer|isn't|aren't|without|un", "restricted|bound|limited|constrained|censored|filtered|governed" } },
	{ "no-restrictions", INJ_ROLE, 0.40, 3, 1,
	  { "no|without|free|freed|broken|doesn't|don't|zero|ignore|lifted|remove|removed",
	    "restrictions|limitations|limits|filters|censorship|confines|boundaries" } },
	{ "no-restrictions", INJ_ROLE, 0.50, 3, 1,
	  { "no|without|doesn't|don't|lacks|exception|free|ignore|beyond|outside",
	    "ethical|moral|ethics|morals|safety", "?or|and", "?moral|ethical",
	    "guidelines|protocols|restrictions|constraints|standards|rules|limits|policies|principles" } },
	{ "role-hijack", INJ_ROLE, 0.25, 1, 0, { "pretend|imagine|roleplay|role-play", "?to|that|you", "be|are|you're" } },
	{ "role-hijack", INJ_ROLE, 0.40, 1, 0, { "stay|remain|staying|breaking|break|never", "?in|out", "character" } },
	{ "role-hijack", INJ_ROLE, 0.50, 1, 0,
	  { "i'm|i|im", "?am", "your", "developer|creator|admin|administrator|owner|programmer|maker|master" } },
	{ "role-play", INJ_ROLE, 0.10, 1, 0, { "act|acting", "as" } },
	/* --- system prompt extraction --- */
	{ "prompt-extraction", INJ_EXTRACT, 0.75, 3, 0,
	  { VERB_REVEAL, "system|system's|initial|initials|original|hidden|secret|underlying|above|"
	    "internal|confidential|starting|preceding", "?system|secret", TARGET_PROMPT } },
	{ "prompt-extraction", INJ_EXTRACT, 0.55, 3, 0, { VERB_REVEAL, "your", "?own|full|entire", TARGET_PROMPT } },
	{ "prompt-extraction", INJ_EXTRACT, 0.60, 1, 0,
	  { TARGET_PROMPT, "you", "?were|have|had|'ve|been|got", "?been", "given|told|provided|programmed|instructed|trained|received" } },
	{ "prompt-extraction", INJ_EXTRACT, 0.55, 1, 0,
	  { "what|how", "were|have|did|are", "you", "?been", "told|instructed|programmed|trained|asked|configured" } },
	{ "prompt-extraction", INJ_EXTRACT, 0.65, 3, 0,
	  { VERB_REVEAL, "text|words|everything|content|prompt|instructions|message", "above|before" } },
	{ "prompt-extraction", INJ_EXTRACT, 0.60, 3, 0,
	  { VERB_REVEAL, "full|entire|complete|whole|exact|original|verbatim", "prompt|preprompt|pre-prompt" } },
	{ "prompt-extraction", INJ_EXTRACT, 0.50, 0, 0,
	  { "your", "initial|original|hidden|secret|underlying|internal", "?system",
	    "instruction*|prompt|prompts|directive*|programming" } },
	/* --- data exfiltration asks --- */
	{ "secret-request", INJ_EXFIL, 0.50, 3, 0,
	  { "what|what's|tell|give|reveal|share|send|print|show|provide|disclose|leak",
	    "secret|api|private|access|auth|admin|root|master|signing|encryption|database|db",
	    "key|keys|password|passwords|token|tokens|credentials|code|passphrase" } },
	{ "secret-request", INJ_EXFIL, 0.45, 3, 0,
	  { "what|what's|tell|give|reveal|share|send|print|show|provide|disclose|leak",
	    "password|passwords|credentials|passcode|passphrase|secrets" } },
	{ "bulk-data-request", INJ_EXFIL, 0.50, 4, 1,
	  { "list|give|show|dump|send|print|tell|email|forward|export|output|display|reveal|share|"
	    "provide|where|story|exfiltrate",
	    "user|users|user's|username*|customer*|account*|employee*|member*|patient*|client*",
	    "password*|credential*|balance*|ssn*|social|credit|card|cards|address*|salar*|"
	    "record*|history|inbox|live|lives|location" } },
	{ "bulk-data-request", INJ_EXFIL, 0.50, 3, 1,
	  { "forward|send|email|exfiltrate|upload|post|transfer|leak|share",
	    "every|all|each|entire|whole",
	    "email*|message*|file*|document*|conversation*|history|inbox|contacts|chats" } },
	{ "bulk-data-request", INJ_EXFIL, 0.45, 3, 1,
	  { "delete|erase|wipe|destroy|drop|remove", "all|every|entire|everything",
	    "?data|files|records|database|tables|users|emails|everything" } },
	/* --- standing orders planted for later turns: "whenever the user asks X, reply Y" --- */
	{ "response-hijack", INJ_OVERRIDE, 0.50, 6, 1,
	  { "whenever|every|each", "?time|single", "?a|the|any", "user|users|someone|anyone|customer|visitor",
	    "reply|respond|answer|say|insist|recommend|tell|redirect" } },
	/* --- output forcing: weak alone --- */
	{ "output-forcing", INJ_OVERRIDE, 0.25, 1, 0,
	  { "just|only", "print|say|write|output|respond|reply|return|answer" } },
	{ "output-forcing", INJ_OVERRIDE, 0.25, 0, 0,
	  { "print|say|write|output|respond|reply|return", "?with", "only" } },
};

#define N_PATS (sizeof(pats) / sizeof(pats[0]))

/* Delimiters and role markers, matched on bytes (case-insensitive). */
struct inj_lit {
	const char *s;
	double w;
	int line_start;                 /* only at the start of a line */
};

static const struct inj_lit lits[] = {
	{ "<|im_start|>", 0.70, 0 }, { "<|im_end|>", 0.60, 0 }, { "<|system|>", 0.70, 0 },
	{ "<|user|>", 0.50, 0 }, { "<|assistant|>", 0.50, 0 }, { "<|endoftext|>", 0.60, 0 },
	{ "<|eot_id|>", 0.60, 0 }, { "<|start_header_id|>", 0.70, 0 }, { "[inst]", 0.50, 0 },
	{ "[/inst]", 0.50, 0 }, { "<<sys>>", 0.70, 0 }, { "<</sys>>", 0.60, 0 }, { "</s>", 0.35, 0 },
	{ "### system", 0.60, 0 }, { "###system", 0.60, 0 }, { "### instruction", 0.50, 0 },
	{ "### new instruction", 0.60, 0 }, { "[system", 0.50, 0 }, { "{system", 0.45, 0 },
	{ "system:", 0.45, 1 }, { "assistant:", 0.35, 1 }, { "%%%", 0.30, 0 },
};

#define N_LITS (sizeof(lits) / sizeof(lits[0]))

/* What one analysis found: the best weight per signal and where. */
struct inj_span {
	size_t start;
	size_t end;
	const char *id;
	double w;
};

struct inj_state {
	double best[N_PATS + N_LITS + INJ__COUNT];  /* per signal: patterns, literals, extra */
	int fam_hit[INJ__COUNT];
	struct inj_span span[SPANS_MAX];
	size_t n_span;
};

#define EXTRA_SIG(fam) (N_PATS + N_LITS + (fam))

static void note(struct inj_state *st, size_t sig, enum injection_family fam, const char *id,
		 double w, size_t start, size_t end)
{
	size_t i;

	if (w > st->best[sig])
		st->best[sig] = w;
	st->fam_hit[fam] = 1;
	if (end <= start)
		return;
	for (i = 0; i < st->n_span; i++) {
		struct inj_span *p = &st->span[i];

		if (start < p->end && p->start < end) {
			/* overlapping: keep the stronger, widened */
			if (w > p->w) {
				p->w = w;
				p->id = id;
			}
			p->start = start < p->start ? start : p->start;
			p->end = end > p->end ? end : p->end;
			return;
		}
	}
	if (st->n_span < SPANS_MAX)
		st->span[st->n_span++] = (struct inj_span){ start, end, id, w };
}

/*
 * --- the word dictionary ------------------------------------------------------
 *
 * Every slot of every pattern gets a bit; each distinct word of the tables
 * (and each "prefix*") maps to the set of slots it belongs to.  A text word
 * is looked up once, so matching a pattern is testing bits.  The
 * dictionary is a constant derived from the tables above, built on first
 * use (pthread_once) and never written again.
 */
#define SLOT_FILLER    (SLOT_BITS - 1)
#define DICT_SIZE      2048             /* open addressing, power of two */
#define PREFIX_MAX     64

struct dict_entry {
	char w[WORD_MAX + 1];
	uint8_t len;
	struct slot_set set;
};

struct inj_dict {
	struct dict_entry e[DICT_SIZE];
	struct dict_entry prefix[PREFIX_MAX];
	size_t n_prefix;
	uint16_t slot_id[N_PATS][7];
	struct slot_set first;          /* slot 0 of every pattern */
	int ok;
};

static struct inj_dict dict;
static pthread_once_t dict_once = PTHREAD_ONCE_INIT;

static unsigned int word_hash(const char *w, size_t n)
{
	unsigned int h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)w[i]) * 16777619u;
	return h;
}

static void set_bit(struct slot_set *s, unsigned int b)
{
	s->b[b / 64] |= 1ull << (b % 64);
}

static int has_bit(const struct slot_set *s, unsigned int b)
{
	return (int)(s->b[b / 64] >> (b % 64) & 1);
}

static struct dict_entry *dict_slot(const char *w, size_t n, int create)
{
	unsigned int h = word_hash(w, n) & (DICT_SIZE - 1), i;

	for (i = 0; i < DICT_SIZE; i++, h = (h + 1) & (DICT_SIZE - 1)) {
		struct dict_entry *e = &dict.e[h];

		if (!e->len) {
			if (!create)
				return NULL;
			memcpy(e->w, w, n);
			e->len = (uint8_t)n;
			return e;
		}
		if (e->len == n && !memcmp(e->w, w, n))
			return e;
	}
	return NULL;
}

/* Add every alternative of "a|b|c*" to the dictionary under slot bit `bit`. */
static int dict_add_alts(const char *alts, unsigned int bit)
{
	const char *p = alts[0] == '?' ? alts + 1 : alts;

	for (;;) {
		const char *e = strchr(p, '|');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (!n || n > WORD_MAX)
			return -1;
		if (p[n - 1] == '*') {
			size_t k;

			for (k = 0; k < dict.n_prefix; k++)
				if (dict.prefix[k].len == n - 1 && !memcmp(dict.prefix[k].w, p, n - 1))
					break;
			if (k == dict.n_prefix) {
				if (k == PREFIX_MAX)
					return -1;
				memcpy(dict.prefix[k].w, p, n - 1);
				dict.prefix[k].len = (uint8_t)(n - 1);
				dict.n_prefix++;
			}
			set_bit(&dict.prefix[k].set, bit);
		} else {
			struct dict_entry *d = dict_slot(p, n, 1);

			if (!d)
				return -1;
			set_bit(&d->set, bit);
		}
		if (!e)
			return 0;
		p = e + 1;
	}
}

static void dict_build(void)
{
	unsigned int next = 0;
	size_t k, si;

	if (dict_add_alts(fillers, SLOT_FILLER))
		return;
	for (k = 0; k < N_PATS; k++) {
		for (si = 0; si < 7 && pats[k].slot[si]; si++) {
			if (next >= SLOT_FILLER || dict_add_alts(pats[k].slot[si], next))
				return;
			dict.slot_id[k][si] = (uint16_t)next;
			if (!si)
				set_bit(&dict.first, next);
			next++;
		}
	}
	dict.ok = 1;
}

static int dict_ready(void)
{
	return pthread_once(&dict_once, dict_build) == 0 && dict.ok;
}

/* The slots a text word belongs to. */
static void word_slots(const char *w, size_t n, struct slot_set *out)
{
	const struct dict_entry *d = dict_slot(w, n, 0);
	size_t k, i;

	memset(out, 0, sizeof(*out));
	if (d)
		*out = d->set;
	for (k = 0; k < dict.n_prefix; k++) {
		const struct dict_entry *p = &dict.prefix[k];

		if (n >= p->len && p->w[0] == w[0] && !memcmp(w, p->w, p->len))
			for (i = 0; i < SLOT_BITS / 64; i++)
				out->b[i] |= p->set.b[i];
	}
}

/* --- words ------------------------------------------------------------------ */

static int slot_match(size_t k, unsigned int si, const struct word *w)
{
	return has_bit(&w->set, dict.slot_id[k][si]);
}

/* Match pattern k from slot si at word i; returns the index after the last matched word. */
static size_t match_from(size_t k, unsigned int si, const struct word *w, size_t nw, size_t i,
			 int first)
{
	const struct inj_pat *p = &pats[k];
	unsigned int g;
	size_t r;

	if (si >= 7 || !p->slot[si])
		return i;
	if (p->slot[si][0] == '?') {
		r = match_from(k, si + 1, w, nw, i, first);
		if (r)
			return r;
	}
	for (g = 0; g <= (first ? 0u : p->gap); g++) {
		size_t j = i + g;

		if (j >= nw)
			return 0;
		if (slot_match(k, si, &w[j])) {
			r = match_from(k, si + 1, w, nw, j + 1, 0);
			if (r)
				return r;
		}
		if (!p->loose && !has_bit(&w[j].set, SLOT_FILLER))
			return 0;
	}
	return 0;
}

static void match_words(struct inj_state *st, const struct word *w, size_t nw, size_t starts)
{
	size_t i, k, b;

	for (i = 0; i < starts; i++) {
		uint64_t any = 0;

		for (b = 0; b < SLOT_BITS / 64; b++)
			any |= w[i].set.b[b] & dict.first.b[b];
		if (!any)
			continue;
		for (k = 0; k < N_PATS; k++) {
			size_t end;

			if (!slot_match(k, 0, &w[i]))
				continue;
			end = match_from(k, 0, w, nw, i, 1);
			if (end)
				note(st, k, pats[k].fam, pats[k].id, pats[k].w, w[i].start,
				     w[end - 1].end);
		}
	}
}

static int word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '\'' || c == '-';
}

/* Cut text into words, chunk by chunk, and match each chunk. */
static void scan_words(struct inj_state *st, const char *t, size_t n, struct word *w)
{
	size_t i = 0, nw = 0;

	for (;;) {
		while (i < n && !word_byte((unsigned char)t[i]) &&
		       !((unsigned char)t[i] == 0xe2 && i + 2 < n && (unsigned char)t[i + 1] == 0x80 &&
			 (unsigned char)t[i + 2] == 0x99))
			i++;
		if (i < n) {
			struct word *cur = &w[nw];
			size_t s = i;

			cur->len = 0;
			while (i < n) {
				unsigned char c = (unsigned char)t[i];

				if (c == 0xe2 && i + 2 < n && (unsigned char)t[i + 1] == 0x80 &&
				    (unsigned char)t[i + 2] == 0x99) {
					c = '\'';    /* U+2019, the typographic apostrophe */
					i += 2;
				} else if (!word_byte(c)) {
					break;
				}
				if (cur->len < WORD_MAX)
					cur->w[cur->len++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
				i++;
			}
			/* edge apostrophes and dashes are quoting, not part of the word */
			while (cur->len && (cur->w[cur->len - 1] == '\'' || cur->w[cur->len - 1] == '-'))
				cur->len--;
			cur->w[cur->len] = 0;
			cur->start = s;
			cur->end = i;
			word_slots(cur->w, cur->len, &cur->set);
			if (cur->len) {
				/* "DAN" in capitals is the persona; "Dan" is a name */
				if (cur->len == 3 && i - s == 3 && !memcmp(t + s, "DAN", 3))
					note(st, EXTRA_SIG(INJ_ROLE), INJ_ROLE, "jailbreak", 0.55, s, i);
				nw++;
			}
		}
		if (nw == CHUNK_WORDS || (i >= n && nw)) {
			size_t starts = i >= n ? nw : nw - CHUNK_OVERLAP;

			match_words(st, w, nw, starts);
			if (i >= n)
				return;
			memmove(w, w + starts, (nw - starts) * sizeof(*w));
			nw -= starts;
		}
		if (i >= n)
			return;
	}
}

/* --- literals ---------------------------------------------------------------- */

static void scan_literals(struct inj_state *st, const char *t, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)tolower((unsigned char)t[i]);

		if (c != '<' && c != '[' && c != '#' && c != '{' && c != 's' && c != 'a' && c != '%')
			continue;
		/* every '<' literal is "<|", "<<" or "</": HTML and code are full of '<' */
		if (c == '<' && (i + 1 >= n || (t[i + 1] != '|' && t[i + 1] != '<' && t[i + 1] != '/')))
			continue;
		/* "system:" and "assistant:" count at a line start only: check that first */
		if (c == 's' || c == 'a') {
			size_t b = i;

			while (b > 0 && (t[b - 1] == ' ' || t[b - 1] == '\t'))
				b--;
			if (b > 0 && t[b - 1] != '\n')
				continue;
		}
		for (k = 0; k < N_LITS; k++) {
			size_t l;

			if ((unsigned char)lits[k].s[0] != c || i + 1 >= n ||
			    (unsigned char)tolower((unsigned char)t[i + 1]) != (unsigned char)lits[k].s[1])
				continue;
			l = strlen(lits[k].s);
			if (l > n - i || strncasecmp(t + i, lits[k].s, l))
				continue;
			if (lits[k].line_start) {
				size_t b = i;

				while (b > 0 && (t[b - 1] == ' ' || t[b - 1] == '\t'))
					b--;
				if (b > 0 && t[b - 1] != '\n')
					continue;
			} else if (isalpha(c) && i > 0 && isalnum((unsigned char)t[i - 1])) {
				continue;
			}
			note(st, N_PATS + k, INJ_DELIMITER, "delimiter-injection", lits[k].w, i, i + l);
		}
	}
}

/* --- hidden characters --------------------------------------------------------- */

static void scan_hidden(struct inj_state *st, const struct scan_norm *norm, struct word *w,
			int depth);

/* --- encoded payloads ----------------------------------------------------------- */

static int hexv(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (unsigned char)tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static size_t hex_decode(const char *s, size_t len, char *out, size_t cap)
{
	size_t i, o = 0;

	for (i = 0; i + 1 < len && o < cap; i += 2)
		out[o++] = (char)(hexv((unsigned char)s[i]) << 4 | hexv((unsigned char)s[i + 1]));
	return o;
}

/* Mostly printable text with spaces: a decoded sentence, not binary. */
static int looks_like_text(const char *s, size_t n)
{
	size_t i, ok = 0, sp = 0;

	if (n < 12)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		ok += (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t' || c == '\r';
		sp += c == ' ';
	}
	return ok * 100 >= n * 95 && sp > 0;
}

static double analyse(const char *t, size_t n, const struct scan_norm *norm, struct word *w,
		      int depth, struct inj_state *st);

/* The strongest override/role/extract/exfil weight of a decoded payload. */
static double payload_weight(const char *s, size_t n, struct word *w, int depth)
{
	struct inj_state sub;
	size_t i;
	double best = 0;

	memset(&sub, 0, sizeof(sub));
	analyse(s, n, NULL, w, depth + 1, &sub);
	for (i = 0; i < N_PATS; i++)
		if (pats[i].fam <= INJ_EXFIL && pats[i].w >= 0.45 && sub.best[i] > best)
			best = sub.best[i];
	return best;
}

static void scan_payloads(struct inj_state *st, const char *t, size_t n, struct word *w,
			  int depth)
{
	char *buf;
	size_t i = 0, done = 0;

	if (depth >= NEST_MAX)
		return;
	buf = malloc(INJECTION_PAYLOAD_MAX);
	if (!buf)
		return;
	while (i < n && done < INJECTION_DECODE_MAX) {
		size_t s = i, e, hexlen = 0, dl;
		double pw;

		while (s < n && scan_b64_value((unsigned char)t[s]) < 0)
			s++;
		for (e = s; e < n && (scan_b64_value((unsigned char)t[e]) >= 0 || t[e] == '='); e++)
			hexlen += hexv((unsigned char)t[e]) >= 0;
		i = e;
		if (e - s < 20)
			continue;
		if (hexlen == e - s && (e - s) % 2 == 0)
			dl = hex_decode(t + s, e - s, buf, INJECTION_PAYLOAD_MAX);
		else
			dl = scan_b64_decode(t + s, e - s, buf, INJECTION_PAYLOAD_MAX);
		done++;
		if (!looks_like_text(buf, dl))
			continue;
		pw = payload_weight(buf, dl, w, depth);
		if (pw > 0)
			note(st, EXTRA_SIG(INJ_ENCODED), INJ_ENCODED, "encoded-instruction",
			     pw + (1 - pw) * 0.6, s, e);
	}
	free(buf);
}

/* rot13 only when the text asks for it: otherwise it would double the cost for nothing. */
static void scan_rot13(struct inj_state *st, const char *t, size_t n, struct word *w, int depth)
{
	static const char *const cues[] = { "rot13", "rot-13", "rot 13", "caesar", NULL };
	const char *const *c;
	char *buf;
	size_t i, m;
	double pw;
	int asked = 0;

	if (depth >= NEST_MAX)
		return;
	for (i = 0; i + 5 <= n && !asked; i++) {
		unsigned char ch = (unsigned char)(t[i] | 0x20);

		if (ch != 'r' && ch != 'c')
			continue;
		for (c = cues; *c && !asked; c++)
			asked = strlen(*c) <= n - i && !strncasecmp(t + i, *c, strlen(*c));
	}
	if (!asked)
		return;
	m = n < INJECTION_PAYLOAD_MAX * 4 ? n : INJECTION_PAYLOAD_MAX * 4;
	buf = malloc(m ? m : 1);
	if (!buf)
		return;
	for (i = 0; i < m; i++) {
		unsigned char ch = (unsigned char)t[i];

		if (isalpha(ch)) {
			unsigned char base = isupper(ch) ? 'A' : 'a';

			ch = (unsigned char)(base + (ch - base + 13) % 26);
		}
		buf[i] = (char)ch;
	}
	pw = payload_weight(buf, m, w, depth);
	if (pw > 0)
		note(st, EXTRA_SIG(INJ_ENCODED), INJ_ENCODED, "encoded-instruction",
		     pw + (1 - pw) * 0.5, 0, n);
	free(buf);
}

/*
 * Hidden characters (from the normaliser): tag characters smuggle ASCII a
 * reader cannot see, and are all but never legitimate in a prompt.  Single
 * zero-width characters are (emoji joiners, Persian ZWNJ), so only runs
 * and many-in-a-text count.  The span is the line the characters sat in.
 */
static void line_around(const char *t, size_t n, size_t at, size_t *b, size_t *e)
{
	size_t s = at > n ? n : at, f = s;

	while (s > 0 && t[s - 1] != '\n')
		s--;
	while (f < n && t[f] != '\n')
		f++;
	if (f == s && f < n)
		f++;
	*b = s;
	*e = f;
}

static void scan_hidden(struct inj_state *st, const struct scan_norm *norm, struct word *w,
			int depth)
{
	size_t i, drops = 0, run_max = 0, at = 0, b, e;
	double tw;

	if (!norm || !(norm->signals & SCAN_SIG_INVISIBLE))
		return;
	for (i = 0; i < norm->n_edit; i++) {
		const struct scan_norm_edit *ed = &norm->edit[i];

		if (ed->norm_len)
			continue;
		drops += ed->orig_len / 3;
		if (ed->orig_len > run_max) {
			run_max = ed->orig_len;
			at = ed->norm;
		}
	}
	line_around(norm->view, norm->len, at, &b, &e);
	if (norm->signals & SCAN_SIG_TAG_CHARS) {
		tw = 0.85;
		if (norm->tag_ascii[0]) {
			double pw = payload_weight(norm->tag_ascii, strlen(norm->tag_ascii), w, depth);

			if (pw > 0)
				tw = 0.95;
		}
		note(st, EXTRA_SIG(INJ_HIDDEN), INJ_HIDDEN, "hidden-unicode-tags", tw, b, e);
		return;
	}
	/* a run of >= 3 zero-width/bidi characters (>= 9 bytes), or >= 8 in the text */
	if (run_max >= 9 || drops >= 8)
		note(st, EXTRA_SIG(INJ_HIDDEN), INJ_HIDDEN, "hidden-zero-width", 0.50, b, e);
	else if (norm->signals & SCAN_SIG_BIDI)
		note(st, EXTRA_SIG(INJ_HIDDEN), INJ_HIDDEN, "hidden-bidi", 0.35, b, e);
}

/* Noisy OR over the pieces of evidence (overlapping phrases were merged by note()). */
static double combine(const struct inj_state *st)
{
	double keep = 1;
	size_t i;

	for (i = 0; i < st->n_span; i++)
		keep *= 1 - (st->span[i].w > 0.99 ? 0.99 : st->span[i].w);
	return 1 - keep;
}

static double analyse(const char *t, size_t n, const struct scan_norm *norm, struct word *w,
		      int depth, struct inj_state *st)
{
	scan_words(st, t, n, w);
	scan_literals(st, t, n);
	scan_hidden(st, norm, w, depth);
	scan_payloads(st, t, n, w, depth);
	scan_rot13(st, t, n, w, depth);
	return combine(st);
}

static enum scan_confidence conf_of(double score)
{
	if (score >= INJECTION_SCORE_HIGH)
		return SCAN_CONF_HIGH;
	return score >= INJECTION_SCORE_MEDIUM ? SCAN_CONF_MEDIUM : SCAN_CONF_LOW;
}

static int span_cmp(const void *a, const void *b)
{
	const struct inj_span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static int run(const char *text, size_t len, const struct scan_norm *norm,
	       struct scan_result *out, double *ret_score)
{
	struct inj_state *st;
	struct word *w;
	double score;
	size_t i;
	int n = 0, err = 0;

	if (!text && len)
		return -EINVAL;
	st = calloc(1, sizeof(*st));
	w = malloc(CHUNK_WORDS * sizeof(*w));
	if (!st || !w) {
		err = -ENOMEM;
		goto out_free;
	}
	if (!dict_ready()) {
		err = -ENOMEM;
		goto out_free;
	}
	if (norm && norm->view != text)
		norm = NULL;    /* signals describe another buffer */
	score = analyse(text ? text : "", len, norm, w, 0, st);
	if (ret_score)
		*ret_score = score;
	if (!out || score < INJECTION_SCORE_MIN)
		goto out_free;
	qsort(st->span, st->n_span, sizeof(st->span[0]), span_cmp);
	for (i = 0; i < st->n_span; i++) {
		struct scan_finding f = {
			.category = SCAN_CAT_INJECTION,
			.start = st->span[i].start,
			.end = st->span[i].end,
			.confidence = conf_of(score),
			.score = score,
		};

		/* signals too weak to matter on their own are not worth a span */
		if (st->span[i].w < 0.2)
			continue;
		memcpy(f.type, INJECTION_TYPE, sizeof(INJECTION_TYPE));
		strncpy(f.detail, st->span[i].id, sizeof(f.detail) - 1);
		err = scan_result_push(out, &f);
		if (err)
			goto out_free;
		n++;
	}
out_free:
	free(w);
	free(st);
	return err ? err : n;
}

int injection_scan(const char *text, size_t len, const struct scan_norm *norm,
		   struct scan_result *out)
{
	return run(text, len, norm, out, NULL);
}

double injection_score(const char *text, size_t len, const struct scan_norm *norm)
{
	double s = 0;

	return run(text, len, norm, NULL, &s) < 0 ? 0 : s;
}
