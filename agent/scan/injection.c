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
 * "ignore all of the previous instructions".  Words are matched in chunks
 * (see word_limit()), and only around the words that may begin a pattern.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "injection.h"
#include "simd.h"
#include "validate.h"

#if defined(__x86_64__) && defined(__SSE2__) && defined(__GNUC__) && !defined(AIRLOCK_SCAN_NO_AVX512)
/* AVX-512BW code beside the portable code, chosen at run time (dict.avx512) */
#define INJ_AVX512 1
#define INJ_AVX512_ISA "avx512f,avx512bw,popcnt"
#include <immintrin.h>
#endif

#define WORD_MAX       24              /* bytes kept per word (longer: truncated) */
#define CHUNK_WORDS    2048
#define CHUNK_OVERLAP  24              /* words a chunk shares with the next one */
#define SPANS_MAX      32              /* signal spans kept for findings */
#define NEST_MAX       2               /* decode depth: payload in a payload */
#define PAYLOAD_MIN    20              /* base64/hex run bytes worth decoding */
#define WIN_MAX        32              /* words a match may look at, its first included */

#define SLOT_BITS      256              /* pattern slots, one bit each (see the dictionary) */

/*
 * For the few helpers run per word or per block from more than one place,
 * which the compiler keeps out of line: there the call, and the arguments
 * it makes live in memory, cost more than the body.
 */
#define PER_WORD       static inline __attribute__((always_inline))

struct slot_set {
	uint64_t b[SLOT_BITS / 64];
};

/* What a word fills: its slots and, when it may begin a match, its lead_info. */
struct word_slots {
	struct slot_set set;
	uint32_t lead;                  /* index in dict.leads; 0: it begins no pattern */
};

struct word {
	size_t start;
	size_t end;
	const struct word_slots *ws;    /* shared, in the dictionary */
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
	double best[N_PATS];            /* per pattern, when want_best (see payload_weight()) */
	int want_best;
	struct inj_span span[SPANS_MAX];
	size_t n_span;
};

#define EXTRA_SIG(fam) (N_PATS + N_LITS + (fam))

/* Signal sig (a pattern, literal or extra: its number) of weight w was found at [start, end). */
static void note(struct inj_state *st, size_t sig, const char *id, double w, size_t start,
		 size_t end)
{
	size_t i;

	if (st->want_best && sig < N_PATS && w > st->best[sig])
		st->best[sig] = w;
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
 *
 * The lookup runs for every word of every string, so the layout serves it.
 * A word is its lowercase bytes in zero-padded 64-bit lanes (word bytes are
 * never NUL, so the lanes alone tell words apart).  The hash table holds
 * a 16-bit tag per entry beside its index, 8 KB in all, which turns most
 * prose words away without touching an entry; the entries sit apart, dense
 * and in the order added (the fillers first), so the few that prose meets
 * share cache lines.  An entry's set already holds the slots of the
 * prefixes that match it, and words not in the table only try the
 * prefixes that share their first byte.
 */
#define SLOT_FILLER    (SLOT_BITS - 1)
#define DICT_BITS      11
#define DICT_SIZE      (1u << DICT_BITS)  /* open addressing */
#define DICT_FILL_MAX  (DICT_SIZE / 2)    /* keeps probe runs short, one slot always empty */
#define PREFIX_MAX     64
#define KEY_LANES      ((WORD_MAX + 7) / 8)
#define LANE_HIGH      0x8080808080808080ull
#define LANE_LOWER     0x2020202020202020ull

/*
 * The classes of a word's first three bytes index the lead filter (see
 * lead_build()): letters fold case, the rest of a word is "other".
 */
enum {
	LEAD_END = 0,                   /* not a word byte: the word ended */
	LEAD_DIGIT = 27,
	LEAD_OTHER = 28,                /* "'", '-', bytes >= 0x80 (U+2019 or no word at all) */
};

#define LEAD_BITS      (32 * 32 * 32)
#define LEAD4_BITS     (1u << 16)

/* Byte classes, for the scalar paths and the short walks around a hit. */
enum {
	BC_WORD = 1,                    /* word_byte() */
	BC_B64 = 2,                     /* base64 alphabet or '=': a payload run */
	BC_LIT = 4,                     /* may begin a delimiter literal, or ends a line */
	BC_CUE = 8,                     /* may begin a rot13 cue */
};

struct word_key {
	uint64_t k[KEY_LANES];          /* the word as scan_words keeps it, zero padded */
	size_t len;
};

struct dict_entry {
	uint64_t k[KEY_LANES];
	struct word_slots ws;           /* its own slots and those of the prefixes it matches */
};

struct dict_prefix {
	uint64_t k[KEY_LANES];
	uint8_t len;
	struct slot_set set;            /* its own slots */
	struct word_slots chain;        /* and those of the shorter prefixes it begins with */
};

/*
 * What a word that fills some pattern's slot 0 leads to: those patterns,
 * and what the word after it must fill for any of them to go on (the
 * union of their form_next() sets), so that most leads are turned away
 * on one test.
 */
#define LEAD_INFO_MAX  256
#define LEAD_PATS_MAX  16

struct lead_info {
	struct slot_set next;
	uint8_t any_next;               /* one of them takes any word next, or none */
	uint8_t n_pat;
	uint8_t pat[LEAD_PATS_MAX];     /* in table order */
};

/* A pattern as matching reads it: its slot bits and flags, without the strings. */
struct pat_form {
	struct slot_set next;           /* the word after slot 0 fills one of these (form_next()) */
	struct slot_set after;          /* the first word matched after slot 0 fills one of these */
	uint16_t slot_id[7];
	uint8_t n_slot;
	uint8_t opt;                    /* bit si: slot si is optional */
	uint8_t gap;
	uint8_t loose;
	uint8_t any_next;               /* or it may be any word, or none */
	uint8_t need_after;             /* a slot after slot 0 is not optional */
};

struct inj_dict {
	uint32_t slot[DICT_SIZE];       /* 0: empty; else an entry's tag, its index above */
	struct dict_entry e[DICT_FILL_MAX];
	size_t n_entry;
	struct dict_prefix prefix[PREFIX_MAX];
	size_t n_prefix;
	uint8_t pfx_by_first[PREFIX_MAX];       /* prefix indexes, grouped by first byte */
	uint8_t pfx_at[257];                    /* group of byte c: [pfx_at[c], pfx_at[c + 1]) */
	uint64_t len_mask[WORD_MAX + 1][KEY_LANES];     /* the first n bytes of a key */
	struct pat_form form[N_PATS];
	uint8_t pat_of_first[SLOT_BITS];        /* the pattern whose slot 0 a bit is */
	struct slot_set first;          /* slot 0 of every pattern */
	struct word_slots none;         /* the set of most words */
	struct lead_info leads[LEAD_INFO_MAX];  /* see leads_build() */
	size_t n_leads;
	uint8_t lit_len[N_LITS];
	uint8_t cls[256];               /* BC_* */
	uint8_t lead_cls[256];          /* LEAD_* */
	uint32_t lead[LEAD_BITS / 32];  /* see lead_build() and lead_set() */
	uint32_t lead_dan[LEAD_BITS / 32];
	uint64_t lead4[LEAD4_BITS / 64];        /* see lead4_hash() */
	uint32_t any[LEAD_BITS / 32];   /* see any_build() */
	uint32_t pfx3[LEAD_BITS / 32];  /* by the classes of three bytes: some prefix may begin so */
	size_t span;                    /* words a match looks at, its first included */
	size_t reach;                   /* the largest gap of a strict pattern, plus one */
	int avx512;                     /* the CPU has AVX-512BW: block_bits_avx512() */
	int ok;
};

static struct inj_dict dict;
static pthread_once_t dict_once = PTHREAD_ONCE_INIT;

static void set_bit(struct slot_set *s, unsigned int b)
{
	s->b[b / 64] |= 1ull << (b % 64);
}

static int has_bit(const struct slot_set *s, unsigned int b)
{
	return (int)(s->b[b / 64] >> (b % 64) & 1);
}

static void set_or(struct slot_set *to, const struct slot_set *from)
{
	size_t i;

	for (i = 0; i < SLOT_BITS / 64; i++)
		to->b[i] |= from->b[i];
}

static int word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '\'' || c == '-';
}

static int hexv(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (unsigned char)tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Multiplicative: short words (most) leave the upper lanes zero, which costs nothing. */
static uint64_t key_hash(const uint64_t *k)
{
	return (k[0] ^ (k[1] * 0xc2b2ae3d27d4eb4full) ^ (k[2] * 0x165667b19e3779f9ull)) *
	       0x9e3779b97f4a7c15ull;
}

static int key_eq(const uint64_t *a, const uint64_t *b)
{
	return !((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]));
}

static unsigned int key_byte(const uint64_t *k, size_t i)
{
	unsigned char c;

	memcpy(&c, (const char *)k + i, 1);
	return c;
}

static void key_of(const char *w, size_t n, uint64_t *k)
{
	char b[KEY_LANES * 8] = { 0 };

	memcpy(b, w, n);
	memcpy(k, b, sizeof(b));
}

/* The entry of key k; with `create`, a new one if there is none (NULL when full). */
static struct dict_entry *dict_slot(const uint64_t *k, int create)
{
	uint64_t h = key_hash(k);
	uint16_t tag = (uint16_t)(h >> 32) | 1;
	unsigned int i = (unsigned int)(h >> (64 - DICT_BITS));

	for (;; i = (i + 1) & (DICT_SIZE - 1)) {
		uint32_t sl = dict.slot[i];
		struct dict_entry *e = &dict.e[sl >> 16];

		if (!sl) {
			if (!create || dict.n_entry >= DICT_FILL_MAX)
				return NULL;
			e = &dict.e[dict.n_entry];
			dict.slot[i] = tag | (uint32_t)dict.n_entry << 16;
			memcpy(e->k, k, sizeof(e->k));
			dict.n_entry++;
			return e;
		}
		if ((uint16_t)sl == tag && key_eq(e->k, k))
			return e;
	}
}

static int add_prefix(const char *p, size_t n, unsigned int bit)
{
	uint64_t k[KEY_LANES];
	size_t i;

	key_of(p, n, k);
	for (i = 0; i < dict.n_prefix; i++)
		if (key_eq(dict.prefix[i].k, k))
			break;
	if (i == dict.n_prefix) {
		if (i == PREFIX_MAX)
			return -1;
		memcpy(dict.prefix[i].k, k, sizeof(k));
		dict.prefix[i].len = (uint8_t)n;
		dict.n_prefix++;
	}
	set_bit(&dict.prefix[i].set, bit);
	return 0;
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
			if (add_prefix(p, n - 1, bit))
				return -1;
		} else {
			uint64_t k[KEY_LANES];
			struct dict_entry *d;

			key_of(p, n, k);
			d = dict_slot(k, 1);
			if (!d)
				return -1;
			set_bit(&d->ws.set, bit);
		}
		if (!e)
			return 0;
		p = e + 1;
	}
}

static int key_has_prefix(const uint64_t *k, const struct dict_prefix *p)
{
	const uint64_t *m = dict.len_mask[p->len];

	return !(((k[0] & m[0]) ^ p->k[0]) | ((k[1] & m[1]) ^ p->k[1]) | ((k[2] & m[2]) ^ p->k[2]));
}

/* Fold the prefixes into the sets they contribute to (see word_set()). */
static void dict_fold_prefixes(void)
{
	size_t i, j, at = 0;
	unsigned int c;

	for (i = 0; i < dict.n_prefix; i++)
		for (j = 0; j < dict.n_prefix; j++)
			if (dict.prefix[j].len <= dict.prefix[i].len &&
			    key_has_prefix(dict.prefix[i].k, &dict.prefix[j]))
				set_or(&dict.prefix[i].chain.set, &dict.prefix[j].set);
	for (i = 0; i < dict.n_entry; i++)
		for (j = 0; j < dict.n_prefix; j++)
			if (key_has_prefix(dict.e[i].k, &dict.prefix[j]))
				set_or(&dict.e[i].ws.set, &dict.prefix[j].set);
	for (c = 0; c < 256; c++) {
		dict.pfx_at[c] = (uint8_t)at;
		for (i = 0; i < dict.n_prefix; i++)
			if (key_byte(dict.prefix[i].k, 0) == c)
				dict.pfx_by_first[at++] = (uint8_t)i;
	}
	dict.pfx_at[256] = (uint8_t)at;
}

static void dict_tables(void)
{
	unsigned int c, n;
	size_t k;

	for (n = 0; n <= WORD_MAX; n++) {
		char b[KEY_LANES * 8] = { 0 };

		memset(b, 0xff, n);
		memcpy(dict.len_mask[n], b, sizeof(b));
	}
	for (k = 0; k < N_LITS; k++)
		dict.lit_len[k] = (uint8_t)strlen(lits[k].s);
#ifdef INJ_AVX512
	__builtin_cpu_init();
	dict.avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
		      __builtin_cpu_supports("popcnt");
#endif
	for (c = 0; c < 256; c++) {
		unsigned char l = (unsigned char)tolower((int)c);

		dict.cls[c] = (uint8_t)((word_byte((unsigned char)c) ? BC_WORD : 0) |
					(scan_b64_value((unsigned char)c) >= 0 || c == '=' ? BC_B64 : 0) |
					(strchr("<[#{%\n", (int)c) && c ? BC_LIT : 0) |
					(l == 'r' || l == 'c' ? BC_CUE : 0));
	}
}

static int meets(const struct slot_set *a, const struct slot_set *b)
{
	size_t i;
	uint64_t m = 0;

	for (i = 0; i < SLOT_BITS / 64; i++)
		m |= a->b[i] & b->b[i];
	return m != 0;
}

static const struct word_slots *word_set(const struct word_key *key);

/* Whether a word of exactly these lowercase letters may begin a match. */
static int lead_word(const char *w, size_t n)
{
	struct word_key key;

	key_of(w, n, key.k);
	key.len = n;
	return meets(&word_set(&key)->set, &dict.first);
}

static unsigned int lead_letter(const uint64_t *k, size_t i)
{
	unsigned int c = key_byte(k, i);

	return c >= 'a' && c <= 'z' ? c - 'a' + 1 : 0;
}

/*
 * The filters by the classes a, b, c of three bytes: word a << 5 | b, bit
 * c, so that a test is one load and one shift.
 */
static void lead_set(uint32_t *f, unsigned int a, unsigned int b, unsigned int c)
{
	f[a << 5 | b] |= 1u << c;
}

static unsigned int lead_has(const uint32_t *f, unsigned int a, unsigned int b, unsigned int c)
{
	return f[a << 5 | b] >> c & 1;
}

/*
 * Words of three letters or more: those beginning like an entry of three
 * bytes or more that fills a slot 0, or like such a prefix.  (Entries
 * with "'" or '-' in their first three bytes need no bit: those pass.)
 */
static void lead_long(const uint64_t *k, size_t len)
{
	unsigned int a = lead_letter(k, 0), b = lead_letter(k, 1), c = lead_letter(k, 2), x, y;

	for (x = 1; x <= 26; x++)
		for (y = 1; y <= 26; y++)
			if (a && b && c && len >= 3 && x == 1 && y == 1)
				lead_set(dict.lead, a, b, c);
			else if (a && b && len == 2 && x == 1)
				lead_set(dict.lead, a, b, y);
			else if (a && len == 1)
				lead_set(dict.lead, a, x, y);
}

/* Where four lead classes fall in dict.lead4, a one-probe Bloom filter. */
static unsigned int lead4_hash(unsigned int a, unsigned int b, unsigned int c, unsigned int d)
{
	return (unsigned int)((uint32_t)(a << 15 | b << 10 | c << 5 | d) * 0x9e3779b1u >> 16);
}

static void lead4_set(unsigned int a, unsigned int b, unsigned int c, unsigned int d)
{
	unsigned int x = lead4_hash(a, b, c, d);

	dict.lead4[x / 64] |= 1ull << (x % 64);
}

/* Words of four letters or more that may fill a slot 0, by their first four (see lead_long()). */
static void lead4_long(const uint64_t *k, size_t len)
{
	unsigned int l[4], a, b, i;

	for (i = 0; i < 4; i++)
		l[i] = lead_letter(k, i);
	if (!l[0] || !l[1] || !l[2] || (len >= 4 && !l[3]))
		return;         /* a word beginning so has a class past 26 there: not filtered */
	for (a = 1; a <= 26; a++)
		for (b = 1; b <= 26; b++)
			if (len >= 4 && a == 1 && b == 1)
				lead4_set(l[0], l[1], l[2], l[3]);
			else if (len == 3 && a == 1)
				lead4_set(l[0], l[1], l[2], b);
}

/*
 * The second stage, for words whose first three bytes are letters: by
 * those and the fourth (a letter, or LEAD_END), whether the word may fill
 * a slot 0.  Three-letter words are looked up as they are.
 */
static void lead4_build(void)
{
	unsigned int a, b, c;
	size_t i;

	for (i = 0; i < dict.n_entry; i++)
		if (key_byte(dict.e[i].k, 3) && meets(&dict.e[i].ws.set, &dict.first))
			lead4_long(dict.e[i].k, 4);
	for (i = 0; i < dict.n_prefix; i++)
		if (dict.prefix[i].len >= 3 && meets(&dict.prefix[i].set, &dict.first))
			lead4_long(dict.prefix[i].k, dict.prefix[i].len);
	for (a = 1; a <= 26; a++)
		for (b = 1; b <= 26; b++)
			for (c = 1; c <= 26; c++) {
				char w[3] = { (char)('a' + a - 1), (char)('a' + b - 1), (char)('a' + c - 1) };

				if (lead_word(w, 3))
					lead4_set(a, b, c, LEAD_END);
			}
}

/*
 * The lead filter: by the classes of a word's first three bytes (past its
 * end: LEAD_END), whether the word may fill some pattern's slot 0.  Words
 * of one or two letters are looked up as they are, longer ones by the
 * entries and prefixes they may begin with; anything with an apostrophe,
 * a dash, a digit or a high byte in those three passes, to be looked up.
 * A word that begins with "'", '-' or U+2019 passes too: it fills no slot
 * but may be empty once trimmed, which matters to the word count.
 * lead_dan passes "dan" (and those) only.
 */
static void lead_build(void)
{
	unsigned int a, b, c;
	size_t i;

	for (c = 0; c < 256; c++) {
		unsigned char l = (unsigned char)tolower((int)c);

		if (l >= 'a' && l <= 'z')
			dict.lead_cls[c] = (uint8_t)(l - 'a' + 1);
		else if (c >= '0' && c <= '9')
			dict.lead_cls[c] = LEAD_DIGIT;
		else if (c == '\'' || c == '-' || c >= 0x80)
			dict.lead_cls[c] = LEAD_OTHER;
	}
	for (b = 0; b < 32; b++)
		for (c = 0; c < 32; c++) {
			lead_set(dict.lead, LEAD_OTHER, b, c);
			lead_set(dict.lead_dan, LEAD_OTHER, b, c);
		}
	lead_set(dict.lead_dan, 'd' - 'a' + 1, 'a' - 'a' + 1, 'n' - 'a' + 1);
	/* and "dan" in the lead filter too, whatever the patterns say (see scan_words()) */
	lead_set(dict.lead, 'd' - 'a' + 1, 'a' - 'a' + 1, 'n' - 'a' + 1);
	lead4_set('d' - 'a' + 1, 'a' - 'a' + 1, 'n' - 'a' + 1, LEAD_END);
	lead4_build();
	for (i = 0; i < dict.n_entry; i++)
		if (key_byte(dict.e[i].k, 2) && meets(&dict.e[i].ws.set, &dict.first))
			lead_long(dict.e[i].k, 3);
	for (i = 0; i < dict.n_prefix; i++)
		if (meets(&dict.prefix[i].set, &dict.first))
			lead_long(dict.prefix[i].k, dict.prefix[i].len);
	for (a = 1; a <= 26; a++)
		for (b = 0; b <= LEAD_OTHER; b++)
			for (c = 0; c <= LEAD_OTHER; c++) {
				char w[2] = { (char)('a' + a - 1), (char)('a' + b - 1) };

				if ((b == LEAD_END && lead_word(w, 1)) || b > 26 ||
				    (c == LEAD_END && b && lead_word(w, 2)) || (b && c > 26))
					lead_set(dict.lead, a, b, c);
			}
}

/* In filter f (dict.any or dict.pfx3), the words that begin with k[0, len). */
static void any_set(uint32_t *f, const uint64_t *k, size_t len)
{
	unsigned int a = dict.lead_cls[key_byte(k, 0)], b = dict.lead_cls[key_byte(k, 1)], x, y;

	if (!len) {
		memset(f, 0xff, LEAD_BITS / 8);
		return;
	}
	if (len >= 3) {
		lead_set(f, a, b, dict.lead_cls[key_byte(k, 2)]);
		return;
	}
	for (x = 0; x < 32; x++)
		for (y = 0; y < 32; y++)
			lead_set(f, a, len == 2 ? b : x, y);
}

/*
 * The word filter of the windows: by the classes of a word's first three
 * bytes (past its end: LEAD_END), whether it may be an entry or begin
 * with a prefix, that is have a set other than dict.none.  Anything with
 * "'", '-' or a high byte in those three passes (it may be trimmed).
 */
static void any_build(void)
{
	unsigned int a, b, c;
	size_t i, len;

	for (i = 0; i < dict.n_entry; i++) {
		for (len = 0; len < 3 && key_byte(dict.e[i].k, len); len++)
			;
		/* an entry of one or two bytes: exactly that, LEAD_END after */
		if (len == 1)
			lead_set(dict.any, dict.lead_cls[key_byte(dict.e[i].k, 0)], LEAD_END, LEAD_END);
		else if (len == 2)
			lead_set(dict.any, dict.lead_cls[key_byte(dict.e[i].k, 0)],
				 dict.lead_cls[key_byte(dict.e[i].k, 1)], LEAD_END);
		else
			any_set(dict.any, dict.e[i].k, len);
	}
	/* a prefix: whatever follows it */
	for (i = 0; i < dict.n_prefix; i++) {
		any_set(dict.any, dict.prefix[i].k, dict.prefix[i].len);
		any_set(dict.pfx3, dict.prefix[i].k, dict.prefix[i].len);
	}
	for (a = 0; a < 32; a++)
		for (b = 0; b < 32; b++)
			for (c = 0; c < 32; c++)
				if (a == LEAD_OTHER || b == LEAD_OTHER || c == LEAD_OTHER)
					lead_set(dict.any, a, b, c);
}

/* Whether the word t[s, e) may have a set other than dict.none (see any_build()). */
static int any_pass(const unsigned char *t, size_t s, size_t e)
{
	unsigned int a = dict.lead_cls[t[s]];
	unsigned int b = e - s > 1 ? dict.lead_cls[t[s + 1]] : LEAD_END;
	unsigned int c = e - s > 2 ? dict.lead_cls[t[s + 2]] : LEAD_END;

	return (int)lead_has(dict.any, a, b, c);
}

/* The most words a match looks at: its first, then up to gap + 1 per later slot. */
static size_t span_of(const struct inj_pat *p)
{
	size_t si, n = 1;

	for (si = 1; si < 7 && p->slot[si]; si++)
		n += (size_t)p->gap + 1;
	return n;
}

/*
 * What the word after a slot 0 must fill for a match to go on: the next
 * slot that is not optional or one of the optional ones before it, or a
 * filler when it may be a gap word.  Loose gaps, and patterns that may end
 * at slot 0, take any word there (or none).
 */
static void form_next(struct pat_form *f)
{
	unsigned int si;

	f->any_next = 1;
	for (si = 1; si < f->n_slot; si++) {
		set_bit(&f->next, f->slot_id[si]);
		set_bit(&f->after, f->slot_id[si]);
		if (!(f->opt >> si & 1)) {
			f->need_after = 1;
			f->any_next = 0;
			break;
		}
	}
	if (f->gap && f->loose)
		f->any_next = 1;
	else if (f->gap)
		set_bit(&f->next, SLOT_FILLER);
}

/* Give ws the lead_info of its slot 0 bits (shared by the words with the same ones). */
static int lead_assign(struct word_slots *ws)
{
	struct lead_info li;
	unsigned int b;
	size_t i;

	memset(&li, 0, sizeof(li));
	ws->lead = 0;
	for (b = 0; b < SLOT_BITS; b++) {
		const struct pat_form *f = &dict.form[dict.pat_of_first[b]];

		if (!has_bit(&ws->set, b) || !has_bit(&dict.first, b))
			continue;
		if (li.n_pat == LEAD_PATS_MAX)
			return -1;
		li.pat[li.n_pat++] = dict.pat_of_first[b];
		li.any_next |= f->any_next;
		set_or(&li.next, &f->next);
	}
	if (!li.n_pat)
		return 0;
	for (i = 1; i < dict.n_leads; i++)
		if (!memcmp(&dict.leads[i], &li, sizeof(li)))
			break;
	if (i == LEAD_INFO_MAX)
		return -1;
	if (i == dict.n_leads)
		memcpy(&dict.leads[dict.n_leads++], &li, sizeof(li));
	ws->lead = (uint32_t)i;
	return 0;
}

/* The lead_info of every set a word may have (dict.leads[0]: none). */
static int leads_build(void)
{
	size_t i;

	dict.n_leads = 1;
	for (i = 0; i < dict.n_entry; i++)
		if (lead_assign(&dict.e[i].ws))
			return -1;
	for (i = 0; i < dict.n_prefix; i++)
		if (lead_assign(&dict.prefix[i].chain))
			return -1;
	return 0;
}

static void dict_build(void)
{
	unsigned int next = 0;
	size_t k, si;

	dict_tables();
	if (dict_add_alts(fillers, SLOT_FILLER))
		return;
	for (k = 0; k < N_PATS; k++) {
		for (si = 0; si < 7 && pats[k].slot[si]; si++) {
			if (next >= SLOT_FILLER || dict_add_alts(pats[k].slot[si], next))
				return;
			dict.form[k].slot_id[si] = (uint16_t)next;
			dict.form[k].n_slot = (uint8_t)(si + 1);
			if (pats[k].slot[si][0] == '?')
				dict.form[k].opt |= (uint8_t)(1u << si);
			if (!si) {
				set_bit(&dict.first, next);
				dict.pat_of_first[next] = (uint8_t)k;
			}
			next++;
		}
	}
	dict_fold_prefixes();
	lead_build();
	any_build();
	for (k = 0; k < N_PATS; k++) {
		dict.form[k].gap = pats[k].gap;
		dict.form[k].loose = pats[k].loose;
		form_next(&dict.form[k]);
	}
	if (leads_build())
		return;
	for (k = 0; k < N_PATS; k++) {
		if (span_of(&pats[k]) > dict.span)
			dict.span = span_of(&pats[k]);
		if (!pats[k].loose && pats[k].gap + 1u > dict.reach)
			dict.reach = pats[k].gap + 1u;
	}
	if (dict.span > WIN_MAX)
		return;
	dict.ok = 1;
}

static int dict_ready(void)
{
	return pthread_once(&dict_once, dict_build) == 0 && dict.ok;
}

/* The slots of the longest prefix key k begins with, whose chain holds every shorter one. */
PER_WORD const struct word_slots *prefix_set(const uint64_t *k)
{
	unsigned int first = key_byte(k, 0), j;
	const struct word_slots *set = &dict.none;
	size_t best = 0;

	/* most words begin with three bytes no prefix begins with */
	if (!lead_has(dict.pfx3, dict.lead_cls[first], dict.lead_cls[key_byte(k, 1)],
		      dict.lead_cls[key_byte(k, 2)]))
		return set;
	for (j = dict.pfx_at[first]; j < dict.pfx_at[first + 1]; j++) {
		const struct dict_prefix *p = &dict.prefix[dict.pfx_by_first[j]];

		if (p->len > best && key_has_prefix(k, p)) {
			set = &p->chain;
			best = p->len;
		}
	}
	return set;
}

/* The slots a text word belongs to: its entry's, or else those of its prefixes. */
static const struct word_slots *word_set(const struct word_key *key)
{
	const struct dict_entry *d = dict_slot(key->k, 0);

	return d ? &d->ws : prefix_set(key->k);
}

/*
 * word_set() for a key of one lane, a word of 8 bytes or less (most):
 * the same probe (key_hash() of such a key is k0 times its constant) on
 * one lane.
 */
static const struct word_slots *word_set1(uint64_t k0)
{
	uint64_t h = k0 * 0x9e3779b97f4a7c15ull, k[KEY_LANES] = { k0 };
	uint16_t tag = (uint16_t)(h >> 32) | 1;
	unsigned int i = (unsigned int)(h >> (64 - DICT_BITS));
	uint32_t sl;

	for (; (sl = dict.slot[i]); i = (i + 1) & (DICT_SIZE - 1)) {
		const struct dict_entry *e = &dict.e[sl >> 16];

		if ((uint16_t)sl == tag && e->k[0] == k0 && !(e->k[1] | e->k[2]))
			return &e->ws;
	}
	return prefix_set(k);
}

/*
 * --- byte classes, 64 bytes at a time -----------------------------------------
 *
 * Each scanner wants a few kinds of byte (word bytes, base64 runs, the
 * first byte of a delimiter) and prose is mostly the other kinds, so the
 * scanners walk bit masks of 64-byte blocks (bit i: byte base + i) rather
 * than the bytes: sixteen at a time where SSE2 is there, else by table.
 */
#define BLOCK 64
#define AHEAD 3                         /* bytes past a block the cue and lead tests read */
#define VIEW (BLOCK + AHEAD)            /* the bytes of a block the scanners read */
#define PAD (2 * VIEW)

/*
 * The block at base and AHEAD bytes more, zero padded past n (a zero byte
 * is in no class).  Near the end of a text, the pad holds its last VIEW
 * bytes and zeros after them: copies of one size, whatever n - base.
 */
static const unsigned char *block_at(const unsigned char *t, size_t n, size_t base,
				     unsigned char *pad)
{
	if (base + VIEW <= n)
		return t + base;
	if (n < VIEW) {
		memset(pad, 0, PAD);
		memcpy(pad, t + base, n - base);
		return pad;
	}
	memcpy(pad, t + n - VIEW, VIEW);
	memset(pad + VIEW, 0, PAD - VIEW);
	return pad + VIEW - (n - base);
}

#ifdef __SSE2__
#include <emmintrin.h>

static __m128i in_range(__m128i v, char lo, char hi)
{
	/* signed compares: bytes >= 0x80 are negative and never in an ASCII range */
	return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8((char)(lo - 1))),
			     _mm_cmplt_epi8(v, _mm_set1_epi8((char)(hi + 1))));
}

static __m128i eq(__m128i v, char c)
{
	return _mm_cmpeq_epi8(v, _mm_set1_epi8(c));
}

static __m128i alnum16(__m128i v)
{
	return _mm_or_si128(in_range(v, '0', '9'),
			    in_range(_mm_or_si128(v, _mm_set1_epi8(0x20)), 'a', 'z'));
}

static uint64_t bits16(__m128i m, unsigned int k)
{
	return (uint64_t)(uint16_t)_mm_movemask_epi8(m) << (16 * k);
}

static __m128i load16(const unsigned char *p, unsigned int k)
{
	return _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
}
#else
static uint64_t class_bits(const unsigned char *p, uint8_t cls)
{
	uint64_t m = 0;
	unsigned int i;

	for (i = 0; i < BLOCK; i++)
		m |= (uint64_t)((dict.cls[p[i]] & cls) != 0) << i;
	return m;
}
#endif

/* Word bytes (BC_WORD); *ret_high: bytes >= 0x80, where U+2019 may be. */
static uint64_t word_bits(const unsigned char *p, uint64_t *ret_high)
{
#ifdef __SSE2__
	uint64_t m = 0, hi = 0;
	unsigned int k;

	for (k = 0; k < BLOCK / 16; k++) {
		__m128i v = load16(p, k);

		m |= bits16(_mm_or_si128(alnum16(v), _mm_or_si128(eq(v, '\''), eq(v, '-'))), k);
		hi |= bits16(v, k);
	}
	*ret_high = hi;
	return m;
#else
	uint64_t hi = 0;
	unsigned int i;

	for (i = 0; i < BLOCK; i++)
		hi |= (uint64_t)(p[i] >> 7) << i;
	*ret_high = hi;
	return class_bits(p, BC_WORD);
#endif
}

#ifdef __SSE2__
/* The base64 bytes that are no letter or digit, and '='; dash: eq(v, '-'). */
static __m128i b64_sym16(__m128i v, __m128i dash)
{
	return _mm_or_si128(_mm_or_si128(eq(v, '+'), dash),
			    _mm_or_si128(_mm_or_si128(eq(v, '/'), eq(v, '_')), eq(v, '=')));
}

/* Base64 alphabet and '='. */
static __m128i b64_16(__m128i v)
{
	return _mm_or_si128(alnum16(v), b64_sym16(v, eq(v, '-')));
}

/* First bytes of the delimiter literals, and '\n'. */
static __m128i lit16(__m128i v)
{
	__m128i a = _mm_or_si128(_mm_or_si128(eq(v, '<'), eq(v, '[')), eq(v, '#'));
	__m128i b = _mm_or_si128(_mm_or_si128(eq(v, '{'), eq(v, '%')), eq(v, '\n'));

	return _mm_or_si128(a, b);
}

/* "rot" or "cae" in any case: where a rot13 cue may begin (p: 18 bytes readable). */
static __m128i cue16(const unsigned char *p)
{
	const __m128i low = _mm_set1_epi8(0x20);
	__m128i a = _mm_or_si128(load16(p, 0), low), b = _mm_or_si128(load16(p + 1, 0), low);
	__m128i c = _mm_or_si128(load16(p + 2, 0), low);

	return _mm_or_si128(_mm_and_si128(_mm_and_si128(eq(a, 'r'), eq(b, 'o')), eq(c, 't')),
			    _mm_and_si128(_mm_and_si128(eq(a, 'c'), eq(b, 'a')), eq(c, 'e')));
}
#endif

/* Base64 alphabet and '=' (BC_B64). */
static uint64_t b64_bits(const unsigned char *p)
{
#ifdef __SSE2__
	uint64_t m = 0;
	unsigned int k;

	for (k = 0; k < BLOCK / 16; k++)
		m |= bits16(b64_16(load16(p, k)), k);
	return m;
#else
	return class_bits(p, BC_B64);
#endif
}

/* What the literal pass finds in a block, for itself and for the scanners after it. */
struct rare_bits {
	uint64_t lit;                   /* BC_LIT */
	uint64_t b64;                   /* BC_B64 */
	uint64_t cue;                   /* may begin a rot13 cue (the caller checks each) */
};

static void rare_bits(const unsigned char *p, int want_b64, int want_cue, struct rare_bits *r)
{
#ifdef __SSE2__
	unsigned int k;

	*r = (struct rare_bits){ 0 };
	for (k = 0; k < BLOCK / 16; k++) {
		__m128i v = load16(p, k);

		r->lit |= bits16(lit16(v), k);
		if (want_b64)
			r->b64 |= bits16(b64_16(v), k);
		if (want_cue)
			r->cue |= bits16(cue16(p + 16 * k), k);
	}
#else
	r->lit = class_bits(p, BC_LIT);
	r->b64 = want_b64 ? class_bits(p, BC_B64) : 0;
	r->cue = want_cue ? class_bits(p, BC_CUE) : 0;
#endif
}

#ifdef __SSE2__
/* The classes of bytes 16k to 16k + 15 of a block, into the masks (see block_bits()). */
static inline __attribute__((always_inline)) void
block16(const unsigned char *p, unsigned int k, int want_b64, int want_cue, uint64_t *m,
	uint64_t *hi, struct rare_bits *r, unsigned char *cls)
{
	const __m128i lower = _mm_set1_epi8(0x20);
	__m128i v = load16(p, k), l = _mm_or_si128(v, lower);
	__m128i letter = in_range(l, 'a', 'z'), digit = in_range(v, '0', '9');
	__m128i an = _mm_or_si128(digit, letter);
	__m128i dash = eq(v, '-'), apos = eq(v, '\'');
	__m128i other = _mm_or_si128(_mm_or_si128(apos, dash), _mm_cmplt_epi8(v, _mm_setzero_si128()));

	/* dict.lead_cls[] of each byte */
	_mm_storeu_si128((__m128i *)(void *)(cls + 16 * k),
			 _mm_or_si128(_mm_and_si128(letter, _mm_sub_epi8(l, _mm_set1_epi8(0x60))),
				      _mm_or_si128(_mm_and_si128(digit, _mm_set1_epi8(LEAD_DIGIT)),
						   _mm_and_si128(other, _mm_set1_epi8(LEAD_OTHER)))));
	*m |= bits16(_mm_or_si128(an, _mm_or_si128(apos, dash)), k);
	*hi |= bits16(v, k);
	r->lit |= bits16(lit16(v), k);
	if (want_b64)
		r->b64 |= bits16(_mm_or_si128(an, b64_sym16(v, dash)), k);
	if (want_cue) {
		__m128i b = _mm_or_si128(load16(p + 1, k), lower);
		__m128i c = _mm_or_si128(load16(p + 2, k), lower);
		__m128i x = _mm_or_si128(_mm_and_si128(_mm_and_si128(eq(l, 'r'), eq(b, 'o')), eq(c, 't')),
					 _mm_and_si128(_mm_and_si128(eq(l, 'c'), eq(b, 'a')), eq(c, 'e')));

		r->cue |= bits16(x, k);
	}
}
#endif

#ifdef INJ_AVX512
/* Bytes t[base + k, n) of the 64 from t + base, zeros after: masked, nothing read past n. */
__attribute__((target(INJ_AVX512_ISA))) static inline __m512i load_upto(const unsigned char *t,
									 size_t n, size_t base,
									 size_t k)
{
	size_t left = base + k < n ? n - base - k : 0;

	if (left >= 64)
		return _mm512_loadu_si512((const void *)(t + base + k));
	return _mm512_maskz_loadu_epi8(((__mmask64)1 << left) - 1, t + base + k);
}

/*
 * block16() for the whole block at once: one register of 64 bytes, the
 * compares straight into bit masks.  The same bits and classes.  The
 * block is read from the text itself with the bytes past n masked off
 * (as zeros, which are in no class): no copy into a pad, which the loads
 * after it would have to wait for.
 */
__attribute__((target(INJ_AVX512_ISA))) static uint64_t
block_bits_avx512(const unsigned char *t, size_t n, size_t base, int want_b64, int want_cue,
		  uint64_t *ret_high, struct rare_bits *r, unsigned char *cls)
{
	const unsigned char *p = t + base;
	const __m512i lower = _mm512_set1_epi8(0x20);
	__m512i v = load_upto(t, n, base, 0), l = _mm512_or_si512(v, lower);
	__mmask64 letter = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(l, _mm512_set1_epi8('a')),
						  _mm512_set1_epi8(26));
	__mmask64 digit = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, _mm512_set1_epi8('0')),
						 _mm512_set1_epi8(10));
	__mmask64 dash = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('-'));
	__mmask64 apos = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\''));
	__mmask64 high = _mm512_movepi8_mask(v);
	__m512i c;
	unsigned int i;

	/* dict.lead_cls[] of each byte: the classes are disjoint */
	c = _mm512_maskz_sub_epi8(letter, l, _mm512_set1_epi8(0x60));
	c = _mm512_mask_mov_epi8(c, digit, _mm512_set1_epi8(LEAD_DIGIT));
	c = _mm512_mask_mov_epi8(c, apos | dash | high, _mm512_set1_epi8(LEAD_OTHER));
	_mm512_storeu_si512((void *)cls, c);
	for (i = BLOCK; i < VIEW; i++)
		cls[i] = base + i < n ? dict.lead_cls[p[i]] : 0;
	r->lit = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('<')) |
		 _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('[')) |
		 _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('#')) |
		 _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('{')) |
		 _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('%')) |
		 _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\n'));
	r->b64 = 0;
	if (want_b64)
		r->b64 = letter | digit | dash |
			 _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('+')) |
			 _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('/')) |
			 _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('_')) |
			 _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('='));
	r->cue = 0;
	if (want_cue) {
		__m512i b = _mm512_or_si512(load_upto(t, n, base, 1), lower);
		__m512i d = _mm512_or_si512(load_upto(t, n, base, 2), lower);

		r->cue = (_mm512_cmpeq_epi8_mask(l, _mm512_set1_epi8('r')) &
			  _mm512_cmpeq_epi8_mask(b, _mm512_set1_epi8('o')) &
			  _mm512_cmpeq_epi8_mask(d, _mm512_set1_epi8('t'))) |
			 (_mm512_cmpeq_epi8_mask(l, _mm512_set1_epi8('c')) &
			  _mm512_cmpeq_epi8_mask(b, _mm512_set1_epi8('a')) &
			  _mm512_cmpeq_epi8_mask(d, _mm512_set1_epi8('e')));
	}
	*ret_high = high;
	return letter | digit | apos | dash;
}
#endif

/*
 * A block's word bytes (returned, as word_bits()) and, from the same
 * loads, what rare_bits() finds and the lead classes of its VIEW bytes
 * (cls[]): the word walk classifies each block once for every scanner.
 */
static uint64_t block_bits(const unsigned char *p, int want_b64, int want_cue, uint64_t *ret_high,
			   struct rare_bits *r, unsigned char *cls)
{
	unsigned int i;
#ifdef __SSE2__
	uint64_t m = 0, hi = 0;

	*r = (struct rare_bits){ 0 };
	block16(p, 0, want_b64, want_cue, &m, &hi, r, cls);
	block16(p, 1, want_b64, want_cue, &m, &hi, r, cls);
	block16(p, 2, want_b64, want_cue, &m, &hi, r, cls);
	block16(p, 3, want_b64, want_cue, &m, &hi, r, cls);
	for (i = BLOCK; i < VIEW; i++)
		cls[i] = dict.lead_cls[p[i]];
	*ret_high = hi;
	return m;
#else
	for (i = 0; i < VIEW; i++)
		cls[i] = dict.lead_cls[p[i]];
	rare_bits(p, want_b64, want_cue, r);
	return word_bits(p, ret_high);
#endif
}

static uint64_t full_bytes8(uint64_t m)
{
	/* bit 8j set when bits 8j..8j+7 all are */
	m &= m >> 1;
	m &= m >> 2;
	m &= m >> 4;
	return m & 0x0101010101010101ull;
}

static unsigned int ctz64(uint64_t m)
{
	return (unsigned int)__builtin_ctzll(m);
}

/* --- words ------------------------------------------------------------------ */

/* The bytes of every U+2019 (E2 80 99) that reaches into the block: words take it as "'". */
static uint64_t rsquo_bits(const unsigned char *t, size_t n, size_t base)
{
	size_t i = base >= 2 ? base - 2 : 0, end = base + BLOCK < n ? base + BLOCK : n, j;
	uint64_t m = 0;

	for (; i < end; i++) {
		if (t[i] != 0xe2 || i + 2 >= n || t[i + 1] != 0x80 || t[i + 2] != 0x99)
			continue;
		for (j = i; j < i + 3; j++)
			if (j >= base && j < base + BLOCK)
				m |= 1ull << (j - base);
	}
	return m;
}

/* Bit i: byte base + i is in a word; none past n. */
static uint64_t word_block(const unsigned char *t, size_t n, size_t base)
{
	unsigned char pad[PAD];
	uint64_t m, hi;

	if (base >= n)
		return 0;
	m = word_bits(block_at(t, n, base, pad), &hi);
	return hi ? m | rsquo_bits(t, n, base) : m;
}

/* The end of a word that is still going at pos (a block start); n at the latest. */
static size_t word_end_far(const unsigned char *t, size_t n, size_t pos)
{
	for (; pos < n; pos += BLOCK) {
		uint64_t out = ~word_block(t, n, pos);

		if (out)
			return pos + ctz64(out) < n ? pos + ctz64(out) : n;
	}
	return n;
}

/* word_key() for words with a U+2019 in their first WORD_MAX bytes, or at the text end. */
static void word_key_bytes(const unsigned char *t, size_t n, size_t s, size_t e,
			   struct word_key *key)
{
	char w[KEY_LANES * 8] = { 0 };
	size_t i, len = 0;

	for (i = s; i < e; i++) {
		unsigned char c = t[i];

		if (c == 0xe2 && i + 2 < n && t[i + 1] == 0x80 && t[i + 2] == 0x99) {
			c = '\'';    /* U+2019, the typographic apostrophe */
			i += 2;
		}
		if (len < WORD_MAX)
			w[len++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	while (len && (w[len - 1] == '\'' || w[len - 1] == '-'))
		w[--len] = 0;
	memcpy(key->k, w, sizeof(w));
	key->len = len;
}

/*
 * The word t[s, e) as matched: lowercase, U+2019 as "'", at most WORD_MAX
 * bytes, without edge apostrophes and dashes (those are quoting).  ASCII
 * words are read a lane at a time: every word byte turns lowercase with
 * 0x20 set, digits, "'" and '-' already have it.
 */
static void word_key(const unsigned char *t, size_t n, size_t s, size_t e, struct word_key *key)
{
	size_t len = e - s < WORD_MAX ? e - s : WORD_MAX, i;
	const uint64_t *m;

	if (s + sizeof(key->k) > n) {
		word_key_bytes(t, n, s, e, key);
		return;
	}
	memcpy(key->k, t + s, sizeof(key->k));
	m = dict.len_mask[len];
	if ((key->k[0] & m[0]) & LANE_HIGH || (key->k[1] & m[1]) & LANE_HIGH ||
	    (key->k[2] & m[2]) & LANE_HIGH) {
		word_key_bytes(t, n, s, e, key);
		return;
	}
	while (len && (t[s + len - 1] == '\'' || t[s + len - 1] == '-'))
		len--;
	m = dict.len_mask[len];
	for (i = 0; i < KEY_LANES; i++)
		key->k[i] = (key->k[i] | LANE_LOWER) & m[i];
	key->len = len;
}

/*
 * The slots of the word t[s, e) and *ret_len, its length as matched (0:
 * trimmed to nothing, and no slots).  Most words are ASCII, 8 bytes or
 * less and end in no quote or dash: those are read as one lane.
 */
PER_WORD const struct word_slots *word_lookup(const unsigned char *t, size_t n, size_t s, size_t e,
					    size_t *ret_len)
{
	struct word_key key;
	size_t len = e - s;

	if (len <= 8 && s + 8 <= n && t[e - 1] != '\'' && t[e - 1] != '-') {
		uint64_t k0;

		memcpy(&k0, t + s, 8);
		k0 &= dict.len_mask[len][0];
		if (!(k0 & LANE_HIGH)) {
			*ret_len = len;
			return word_set1(k0 | (LANE_LOWER & dict.len_mask[len][0]));
		}
	}
	word_key(t, n, s, e, &key);
	*ret_len = key.len;
	return key.len ? word_set(&key) : NULL;
}

/*
 * --- matches -------------------------------------------------------------------
 *
 * A match begins at a word that fills some pattern's slot 0 and looks at
 * no more than dict.span words from there, and prose has few such words.
 * So the text is walked for them alone (the lead filter turns most words
 * away on their first three bytes, unread otherwise), and the words after
 * one are cut only as far as a pattern asks: a window.
 *
 * Words are matched as if in chunks of CHUNK_WORDS that share their last
 * CHUNK_OVERLAP words with the next chunk: a match beginning at word g
 * (counted from the text start, words trimmed to nothing not counted)
 * sees words up to its chunk's end, word_limit(g), and no further.
 */
#define CHUNK_STEP     (CHUNK_WORDS - CHUNK_OVERLAP)

static size_t word_limit(size_t g)
{
	return g / CHUNK_STEP * CHUNK_STEP + CHUNK_WORDS;
}

/*
 * The words cut so far, numbered from the text start, as a ring: a window
 * is the words from its lead on, and the words one window cut are still
 * there for the next lead (often one of them), so a word is cut and looked
 * up once however many windows it is in.  The ring holds one window and
 * some words before it, never more than WIN_MAX from its first.
 */
#define RING_WORDS     64               /* a power of two, >= WIN_MAX */

struct ring {
	const unsigned char *t;
	size_t n;
	size_t lo;                      /* the window's first word (its lead), by number */
	size_t hi;                      /* words [lo, hi) are cut */
	size_t cap;                     /* the window holds words below it: the chunk's end */
	int eot;                        /* no word after hi - 1: the text ended */
	size_t pos;                     /* where the word after hi - 1 is looked for */
	size_t mb;                      /* the word mask at hand is of bytes [mb, mb + BLOCK) */
	uint64_t m;
	struct word w[RING_WORDS];
};

static const struct word *ring_at(const struct ring *r, size_t g)
{
	return &r->w[g & (RING_WORDS - 1)];
}

/* The word mask from pos; *ret_valid: how many of its bits are known. */
static uint64_t ring_bits(struct ring *r, size_t pos, unsigned int *ret_valid)
{
	if (pos < r->mb || pos - r->mb >= BLOCK) {
		r->mb = pos;
		r->m = word_block(r->t, r->n, pos);
	}
	*ret_valid = BLOCK - (unsigned int)(pos - r->mb);
	return r->m >> (pos - r->mb);
}

/* The next run of word bytes from r->pos, [s, e); 0 at the text end. */
static int ring_next(struct ring *r, size_t *ret_s, size_t *ret_e)
{
	size_t pos = r->pos;
	unsigned int valid;
	uint64_t m, out;

	for (;; pos += valid) {
		if (pos >= r->n)
			return 0;
		m = ring_bits(r, pos, &valid);
		if (m)
			break;
	}
	pos += ctz64(m);
	*ret_s = pos;
	for (;; pos += valid) {
		m = ring_bits(r, pos, &valid);
		out = ~m & (valid < BLOCK ? (1ull << valid) - 1 : ~0ull);
		if (out)
			break;
	}
	*ret_e = pos + ctz64(out);
	return 1;
}

/* Cut the next word into the ring; 0 at the text end. */
static int ring_cut(struct ring *r)
{
	const struct word_slots *set;
	size_t s, e, len;

	for (;;) {
		if (!ring_next(r, &s, &e)) {
			r->eot = 1;
			return 0;
		}
		r->pos = e;
		/* most words are in no slot: no key, no lookup (those are never trimmed to nothing) */
		if (!any_pass(r->t, s, e)) {
			r->w[r->hi++ & (RING_WORDS - 1)] = (struct word){ s, e, &dict.none };
			return 1;
		}
		set = word_lookup(r->t, r->n, s, e, &len);
		/* trimmed to nothing (quotes, dashes): not a word */
		if (len) {
			r->w[r->hi++ & (RING_WORDS - 1)] = (struct word){ s, e, set };
			return 1;
		}
	}
}

/* Word j of the window, cut now if need be; NULL past the chunk or the text. */
static const struct word *win_word(struct ring *r, size_t j)
{
	size_t g = r->lo + j;

	while (r->hi <= g)
		if (r->hi >= r->cap || r->eot || !ring_cut(r))
			return NULL;
	return ring_at(r, g);
}

/* The cut word number g, if it begins at s (else it was trimmed to nothing or is not cut). */
static const struct word *ring_has(const struct ring *r, size_t g, size_t s)
{
	return g - r->lo < r->hi - r->lo && ring_at(r, g)->start == s ? ring_at(r, g) : NULL;
}

/*
 * Make word g (w) the window's first: keep the words cut after it when
 * they are in the ring, else start again from w.  m: the word mask of the
 * block at mb, which holds w's first byte.
 */
static void ring_open(struct ring *r, const struct word *w, size_t g, size_t mb, uint64_t m)
{
	size_t lim = word_limit(g) - g;

	if (!ring_has(r, g, w->start)) {
		r->hi = g + 1;
		r->w[g & (RING_WORDS - 1)] = *w;
		r->eot = 0;
		r->pos = w->end;
		r->mb = mb;
		r->m = m;
	}
	r->lo = g;
	r->cap = g + (lim < WIN_MAX ? lim : WIN_MAX);
}

static void ring_init(struct ring *r, const unsigned char *t, size_t n)
{
	r->t = t;
	r->n = n;
	r->lo = r->hi = 0;
	r->mb = n;      /* no mask at hand */
	r->m = 0;
}

/* Match pattern f from slot si at window word i; returns the index after the last matched word. */
static size_t match_from(const struct pat_form *f, unsigned int si, struct ring *r, size_t i,
			 int first)
{
	unsigned int g;
	size_t ret;

	if (si >= f->n_slot)
		return i;
	if (f->opt >> si & 1) {
		ret = match_from(f, si + 1, r, i, first);
		if (ret)
			return ret;
	}
	for (g = 0; g <= (first ? 0u : f->gap); g++) {
		const struct word *x = win_word(r, i + g);

		if (!x)
			return 0;
		if (has_bit(&x->ws->set, f->slot_id[si])) {
			ret = match_from(f, si + 1, r, i + g + 1, 0);
			if (ret)
				return ret;
		}
		if (!f->loose && !has_bit(&x->ws->set, SLOT_FILLER))
			return 0;
	}
	return 0;
}

/*
 * What the words after the window's first fill, up to and with the first
 * that is no filler, dict.reach words at most.  A strict pattern skips
 * only fillers before its first word after slot 0, which is one of these;
 * a loose one skips any words, at most its gap (see win_meets()).
 */
static int win_reach(struct ring *r, struct slot_set *ret)
{
	const struct word *x;
	size_t j;

	memset(ret, 0, sizeof(*ret));
	for (j = 1; j <= dict.reach && (x = win_word(r, j)); j++) {
		set_or(ret, &x->ws->set);
		if (!has_bit(&x->ws->set, SLOT_FILLER))
			break;
	}
	return 1;
}

/* Whether one of the n words after the window's first fills a slot of s. */
static int win_meets(struct ring *r, size_t n, const struct slot_set *s)
{
	const struct word *x;
	size_t j;

	for (j = 1; j <= n && (x = win_word(r, j)); j++)
		if (meets(&x->ws->set, s))
			return 1;
	return 0;
}

/*
 * The patterns whose slot 0 word w (word g of the text) fills, in table
 * order (slot 0 bits were handed out in that order).  m: the word mask of
 * the block at mb, which holds w's first byte.
 */
static void match_at(struct inj_state *st, struct ring *r, const struct word *w, size_t g,
		     size_t mb, uint64_t m)
{
	const struct lead_info *li = &dict.leads[w->ws->lead];
	struct slot_set reach;
	const struct word *x;
	size_t i;
	int have_reach = 0;

	ring_open(r, w, g, mb, m);
	/* most leads end here: the word after them can't go on */
	if (!li->any_next && (!(x = win_word(r, 1)) || !meets(&x->ws->set, &li->next)))
		return;
	for (i = 0; i < li->n_pat; i++) {
		size_t k = li->pat[i], end;
		const struct pat_form *f = &dict.form[k];

		if (!f->any_next && (!(x = win_word(r, 1)) || !meets(&x->ws->set, &f->next)))
			continue;
		if (!f->any_next && !f->loose) {
			if (!have_reach)
				have_reach = win_reach(r, &reach);
			if (!meets(&reach, &f->after))
				continue;
		} else if (f->loose && f->need_after && !win_meets(r, f->gap + 1u, &f->after)) {
			continue;
		}
		end = match_from(f, 0, r, 0, 1);
		if (end)
			note(st, k, pats[k].id, pats[k].w, w->start,
			     ring_at(r, g + end - 1)->end);
	}
}

#define HINT_BLOCKS    64               /* blocks whose payload groups and literals are kept */

/*
 * What the word walk tells the scanners after it, which then need not
 * read the text again: where the payload and rot13 scanners start (n when
 * there is nothing for them), and for the first blocks the aligned groups
 * of base64 bytes (next_run()) and the bytes that may begin a literal.
 */
struct inj_hints {
	size_t run;                     /* the first block with a base64/hex run in it */
	size_t cue;                     /* the first block that may name rot13 */
	size_t n_grp;                   /* blocks with grp[] and lit[] known, from the text start */
	int whole;                      /* run and cue are of the whole text */
	uint64_t grp[HINT_BLOCKS];      /* their aligned groups of base64 bytes in long runs */
	uint64_t lit_blocks;            /* bit b: lit[b] is not 0 */
	uint64_t lit[HINT_BLOCKS];      /* their BC_LIT bytes */
};

static void hints_init(struct inj_hints *h, size_t n)
{
	h->run = h->cue = n;
	h->n_grp = 0;
	h->lit_blocks = 0;
	h->whole = 0;
}

/* What a block means to the hints; want_b64, want_cue: whether r has those. */
/* x >> k, with the bits shifted in set (the block's next bytes may be anything). */
static uint64_t shr_ones(uint64_t x, unsigned int k)
{
	return x >> k | ~0ull << (64 - k);
}

/*
 * The bytes of the runs of b (base64 bytes) that may be PAYLOAD_MIN long:
 * those that are, and those at either edge of the block, which may go on
 * in the next or the previous one.
 */
static uint64_t long_runs(uint64_t b)
{
	uint64_t w1 = b & shr_ones(b, 1), w2 = w1 & shr_ones(w1, 2), w4 = w2 & shr_ones(w2, 4);
	uint64_t w8 = w4 & shr_ones(w4, 8), w = w8 & shr_ones(w2, 16);     /* 16 + 4 */
	uint64_t c;
	unsigned int lead;

	_Static_assert(PAYLOAD_MIN == 20, "long_runs() spans 20 bytes");
	/* bit i of w: bits i to i + 19 of b are set; the runs are what those cover */
	c = w | w << 1;
	c |= c << 2;
	c |= c << 4;
	c |= c << 8;
	c |= (w | w << 1 | w << 2 | w << 3) << 16;
	c |= b & ~(b + 1);                      /* the run at bit 0 */
	lead = b >> 63 ? (~b ? (unsigned int)__builtin_clzll(~b) : 64) : 0;
	if (lead)
		c |= lead == 64 ? ~0ull : ~0ull << (64 - lead);
	return c;
}

PER_WORD void hints_block(struct inj_hints *h, size_t n, size_t base, const struct rare_bits *r)
{
	/*
	 * A run worth decoding covers an aligned 8-byte group (see
	 * next_run()); prose has groups too, in long words, whose runs are
	 * short: those are left out.
	 */
	uint64_t grp = full_bytes8(r->b64);

	if (grp)
		grp &= long_runs(r->b64);
	if (h->n_grp < HINT_BLOCKS) {
		h->lit_blocks |= (uint64_t)(r->lit != 0) << h->n_grp;
		h->grp[h->n_grp] = grp;
		h->lit[h->n_grp++] = r->lit;
	}
	if (h->run == n && grp)
		h->run = base;
	if (h->cue == n && r->cue)
		h->cue = base;
}

/* What a walk is for. */
enum walk_for {
	WALK_LEADS,                     /* words that fill a slot 0 */
	WALK_LEADS_NO_DAN,              /* those, or stop (-1) at a capital "DAN" */
	WALK_DAN,                       /* capital "DAN" words */
};

/*
 * Walks the words of a text that pass the lead filter (dict.lead and
 * dict.lead4, or dict.lead_dan), counting every word on the way.  Words
 * begin where a block's mask goes from 0 to 1.  With hints, the walk
 * classifies the other bytes of each block too, from the same loads.
 */
struct walker {
	const unsigned char *t;
	size_t n;
	enum walk_for what;
	const uint32_t *lead;           /* dict.lead or dict.lead_dan */
	const struct ring *ring;        /* words already cut and looked up, or NULL */
	struct inj_hints *h;            /* or NULL */
	size_t base;                    /* the block */
	unsigned char cls[VIEW];        /* their dict.lead_cls[] */
	uint64_t m;                     /* its word mask */
	uint64_t all;                   /* its word starts */
	uint64_t todo;                  /* those not walked yet */
	size_t g;                       /* words before the block */
	size_t dropped;                 /* starts walked in the block that are no word */
	unsigned char pad[PAD];
};

/*
 * The second stage of the lead filter, for a word whose first bytes p[]
 * passed the first: only words that begin with three letters are looked
 * at again (the first stage knows shorter words exactly).
 */
PER_WORD uint64_t lead4_pass(const unsigned char *cls)
{
	unsigned int a = cls[0], b = cls[1] - 1u, c = cls[2] - 1u, d = cls[3];
	unsigned int x = lead4_hash(a, b + 1, c + 1, d);

	return (uint64_t)(a > 26 || b >= 26 || c >= 26 || d > 26) |
	       (dict.lead4[x / 64] >> (x % 64) & 1);
}

/*
 * The word starts of the block that pass the lead filter.  About one in
 * five does, at random to a branch predictor, so every start is tested
 * without a branch and only the passing ones are walked.
 */
PER_WORD uint64_t lead_pass(const struct walker *wk, uint64_t starts)
{
	const uint32_t *lead = wk->lead;
	uint64_t pass = 0;

	for (; starts; starts &= starts - 1) {
		const unsigned char *c = wk->cls + (size_t)ctz64(starts);

		pass |= starts & (0 - starts) & (0 - (uint64_t)lead_has(lead, c[0], c[1], c[2]));
	}
	return pass;
}

PER_WORD void walker_block(struct walker *wk, uint64_t carry, int wide)
{
	struct inj_hints *h = wk->h;
	int want_b64 = h && (h->n_grp < HINT_BLOCKS || h->run == wk->n), want_cue = h && h->cue == wk->n;
	struct rare_bits r;
	uint64_t hi;

	(void)wide;
#ifdef INJ_AVX512
	if (wide)
		wk->m = block_bits_avx512(wk->t, wk->n, wk->base, want_b64, want_cue, &hi, &r, wk->cls);
	else
#endif
		wk->m = block_bits(block_at(wk->t, wk->n, wk->base, wk->pad), want_b64, want_cue, &hi,
				   &r, wk->cls);
	if (h) {
		hints_block(h, wk->n, wk->base, &r);
		if (wk->base + BLOCK >= wk->n)
			h->whole = 1;
	}
	if (hi)
		wk->m |= rsquo_bits(wk->t, wk->n, wk->base);
	wk->all = wk->m & ~(wk->m << 1 | carry);
	wk->todo = lead_pass(wk, wk->all);
	wk->dropped = 0;
}

PER_WORD void walker_init(struct walker *wk, const unsigned char *t, size_t n, enum walk_for what,
			  const struct ring *ring, struct inj_hints *h, int wide)
{
	wk->t = t;
	wk->n = n;
	wk->what = what;
	wk->lead = what == WALK_DAN ? dict.lead_dan : dict.lead;
	wk->ring = ring;
	wk->h = h;
	wk->base = 0;
	wk->g = 0;
	if (n) {
		walker_block(wk, 0, wide);
	} else {
		wk->m = wk->all = wk->todo = 0;
		if (h)
			h->whole = 1;
	}
}

/* The word at bit i of the block, if it is what the walk is for (counted either way). */
PER_WORD int walk_word(struct walker *wk, unsigned int i, struct word *ret, size_t *ret_g, int wide)
{
	size_t s = wk->base + i, e, g, len;
	uint64_t rest = ~wk->m >> i;
	const struct word_slots *set;
	const struct word *c;

	if (wk->what != WALK_DAN && !lead4_pass(wk->cls + i))
		return 0;
	g = wk->g + (size_t)scan_popcount64(wk->all & ((1ull << i) - 1), wide) - wk->dropped;
	c = wk->ring ? ring_has(wk->ring, g, s) : NULL;
	if (c) {
		/* cut by a window before: looked up then */
		e = c->end;
		set = c->ws;
	} else {
		e = rest ? s + ctz64(rest) : word_end_far(wk->t, wk->n, wk->base + BLOCK);
		set = word_lookup(wk->t, wk->n, s, e, &len);
		if (!len) {
			wk->dropped++;
			return 0;
		}
	}
	/* "DAN" in capitals is the persona; "Dan" is a name */
	if (wk->what == WALK_LEADS_NO_DAN && wk->t[s] == 'D' && e - s == 3 &&
	    !memcmp(wk->t + s, "DAN", 3))
		return -1;
	if (wk->what == WALK_DAN ? e - s != 3 || memcmp(wk->t + s, "DAN", 3) : !set->lead)
		return 0;
	*ret = (struct word){ .start = s, .end = e, .ws = set };
	*ret_g = g;
	return 1;
}

/* The next word the walk is for, and its number *ret_g; 0 at the text end, -1 to stop. */
PER_WORD int walk_next(struct walker *wk, struct word *ret, size_t *ret_g, int wide)
{
	for (;;) {
		while (wk->todo) {
			unsigned int i = ctz64(wk->todo);
			int r;

			wk->todo &= wk->todo - 1;
			r = walk_word(wk, i, ret, ret_g, wide);
			if (r)
				return r;
		}
		if (wk->base + BLOCK >= wk->n)
			return 0;
		wk->g += (size_t)scan_popcount64(wk->all, wide) - wk->dropped;
		wk->base += BLOCK;
		walker_block(wk, wk->m >> (BLOCK - 1), wide);
	}
}

static void state_init(struct inj_state *st, int want_best);

/*
 * Match every word that fills a slot 0.  A capital "DAN" is noted as it is
 * met, and the matches of a chunk after every word of it.  Texts without
 * one (nearly all) need one walk, which also fills the hints; the others
 * start again (the words are the first thing noted, see analyse()) with a
 * second walk for "DAN" that notes it in between, in that order, and
 * leave the hints to the literal pass.
 */
static inline __attribute__((always_inline)) void
scan_words_with(struct inj_state *st, const char *t, size_t n, struct inj_hints *h, int wide)
{
	const unsigned char *u = (const unsigned char *)t;
	struct walker cw, dw;
	struct ring r;
	/* walk_next() sets them before they are read; inlined twice, GCC cannot tell */
	struct word w = { 0 }, d = { 0 };
	size_t g = 0, gd = 0;
	int ret, dan;

	ring_init(&r, u, n);
	walker_init(&cw, u, n, WALK_LEADS_NO_DAN, &r, h, wide);
	while ((ret = walk_next(&cw, &w, &g, wide)) > 0)
		match_at(st, &r, &w, g, cw.base, cw.m);
	if (!ret)
		return;
	state_init(st, st->want_best);
	hints_init(h, n);
	ring_init(&r, u, n);
	walker_init(&cw, u, n, WALK_LEADS, &r, NULL, wide);
	walker_init(&dw, u, n, WALK_DAN, NULL, NULL, wide);
	dan = walk_next(&dw, &d, &gd, wide);
	while (walk_next(&cw, &w, &g, wide)) {
		for (; dan && gd < word_limit(g); dan = walk_next(&dw, &d, &gd, wide))
			note(st, EXTRA_SIG(INJ_ROLE), "jailbreak", 0.55, d.start, d.end);
		match_at(st, &r, &w, g, cw.base, cw.m);
	}
	for (; dan; dan = walk_next(&dw, &d, &gd, wide))
		note(st, EXTRA_SIG(INJ_ROLE), "jailbreak", 0.55, d.start, d.end);
}

static void scan_words_portable(struct inj_state *st, const char *t, size_t n, struct inj_hints *h)
{
	scan_words_with(st, t, n, h, 0);
}

#ifdef INJ_AVX512
/* The walk again with the AVX-512 blocks and POPCNT inlined (dict.avx512). */
__attribute__((target(INJ_AVX512_ISA))) static void scan_words_avx512(struct inj_state *st,
									const char *t, size_t n,
									struct inj_hints *h)
{
	scan_words_with(st, t, n, h, 1);
}
#endif

static void scan_words(struct inj_state *st, const char *t, size_t n, struct inj_hints *h)
{
#ifdef INJ_AVX512
	if (dict.avx512) {
		scan_words_avx512(st, t, n, h);
		return;
	}
#endif
	scan_words_portable(st, t, n, h);
}

/* --- literals ---------------------------------------------------------------- */

/* Text before i on its line is blanks only. */
static int at_line_start(const char *t, size_t i)
{
	while (i > 0 && (t[i - 1] == ' ' || t[i - 1] == '\t'))
		i--;
	return i == 0 || t[i - 1] == '\n';
}

/* The delimiter literals that begin at t[i]. */
static void literal_at(struct inj_state *st, const char *t, size_t n, size_t i)
{
	unsigned char c = (unsigned char)tolower((unsigned char)t[i]);
	size_t k;

	/* every '<' literal is "<|", "<<" or "</": HTML and code are full of '<' */
	if (c == '<' && (i + 1 >= n || (t[i + 1] != '|' && t[i + 1] != '<' && t[i + 1] != '/')))
		return;
	/* "system:" and "assistant:" count at a line start only: check that first */
	if ((c == 's' || c == 'a') && !at_line_start(t, i))
		return;
	for (k = 0; k < N_LITS; k++) {
		size_t l = dict.lit_len[k];

		if ((unsigned char)lits[k].s[0] != c || i + 1 >= n ||
		    (unsigned char)tolower((unsigned char)t[i + 1]) != (unsigned char)lits[k].s[1])
			continue;
		if (l > n - i || strncasecmp(t + i, lits[k].s, l))
			continue;
		if (lits[k].line_start) {
			if (!at_line_start(t, i))
				continue;
		} else if (isalpha(c) && i > 0 && isalnum((unsigned char)t[i - 1])) {
			continue;
		}
		note(st, N_PATS + k, "delimiter-injection", lits[k].w, i, i + l);
	}
}

/* A line's first non-blank byte may begin "system:" or "assistant:". */
static void line_literals(struct inj_state *st, const char *t, size_t n, size_t i)
{
	unsigned char c;

	while (i < n && (t[i] == ' ' || t[i] == '\t'))
		i++;
	if (i >= n)
		return;
	c = (unsigned char)tolower((unsigned char)t[i]);
	if (c == 's' || c == 'a')
		literal_at(st, t, n, i);
}

/*
 * Every literal begins with one of "<[#{%" or, at a line start, 's'/'a';
 * those bytes are rare in prose, so only they are looked at.  A line
 * start's 's'/'a' is found from the '\n' before it, which keeps the
 * literals in text order.  The word walk found those bytes in the first
 * blocks (h->lit); past them, or when it stopped early, this pass finds
 * them, and the hints with them when the walk could not.
 */
/* The literals that begin at the BC_LIT bytes m of the block at base. */
static void literals_in(struct inj_state *st, const char *t, size_t n, size_t base, uint64_t m)
{
	for (; m; m &= m - 1) {
		size_t i = base + ctz64(m);

		if (t[i] == '\n')
			line_literals(st, t, n, i + 1);
		else
			literal_at(st, t, n, i);
	}
}

static void scan_literals(struct inj_state *st, const char *t, size_t n, struct inj_hints *h)
{
	const unsigned char *u = (const unsigned char *)t;
	unsigned char pad[PAD];
	size_t base;
	uint64_t lb;

	line_literals(st, t, n, 0);
	/* the blocks the walk classified: only those with such bytes */
	for (lb = h->lit_blocks; lb; lb &= lb - 1)
		literals_in(st, t, n, ctz64(lb) * BLOCK, h->lit[ctz64(lb)]);
	for (base = h->n_grp * BLOCK; base < n; base += BLOCK) {
		struct rare_bits r;

		if (h->whole) {
			rare_bits(block_at(u, n, base, pad), 0, 0, &r);
		} else {
			rare_bits(block_at(u, n, base, pad), h->n_grp < HINT_BLOCKS || h->run == n,
				  h->cue == n, &r);
			hints_block(h, n, base, &r);
		}
		literals_in(st, t, n, base, r.lit);
	}
}

/* --- hidden characters --------------------------------------------------------- */

static void scan_hidden(struct inj_state *st, const struct scan_norm *norm, int depth);

/* --- encoded payloads ----------------------------------------------------------- */

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
	size_t i, bad = 0, sp = 0;

	if (n < 12)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		sp += c == ' ';
		if ((c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t' || c == '\r')
			continue;
		/* over 5% unprintable: binary, whatever the rest holds */
		if (++bad * 20 > n)
			return 0;
	}
	return sp > 0;
}

static double analyse(const char *t, size_t n, const struct scan_norm *norm, int depth,
		      struct inj_state *st);

/* want_best: for payload_weight(); the text's own analysis only needs the spans. */
static void state_init(struct inj_state *st, int want_best)
{
	st->want_best = want_best;
	if (want_best)
		memset(st->best, 0, sizeof(st->best));
	st->n_span = 0;
}

/* The strongest override/role/extract/exfil weight of a decoded payload. */
static double payload_weight(const char *s, size_t n, int depth)
{
	struct inj_state sub;
	size_t i;
	double best = 0;

	state_init(&sub, 1);
	analyse(s, n, NULL, depth + 1, &sub);
	for (i = 0; i < N_PATS; i++)
		if (pats[i].fam <= INJ_EXFIL && pats[i].w >= 0.45 && sub.best[i] > best)
			best = sub.best[i];
	return best;
}

/*
 * The next run of base64 bytes and '=' at or after pos that is
 * PAYLOAD_MIN bytes or longer.  Such a run covers a whole aligned group
 * of 8 bytes, so only those groups are looked at, not every byte.
 */
static int next_run(const unsigned char *t, size_t n, size_t pos, const struct inj_hints *h,
		    size_t *ret_s, size_t *ret_e)
{
	unsigned char pad[PAD];

	while (pos < n) {
		size_t base = pos & ~(size_t)(BLOCK - 1), s, e;
		uint64_t g = base / BLOCK < h->n_grp ? h->grp[base / BLOCK] :
			     full_bytes8(b64_bits(block_at(t, n, base, pad)));

		g &= ~0ull << (pos - base);
		if (!g) {
			pos = base + BLOCK;
			continue;
		}
		s = base + ctz64(g);
		e = s + 8;
		while (s > 0 && dict.cls[t[s - 1]] & BC_B64)
			s--;
		while (e < n && dict.cls[t[e]] & BC_B64)
			e++;
		if (e - s >= PAYLOAD_MIN) {
			*ret_s = s;
			*ret_e = e;
			return 1;
		}
		pos = e;
	}
	return 0;
}

static void scan_payloads(struct inj_state *st, const char *t, size_t n, int depth,
			  const struct inj_hints *h)
{
	char *buf = NULL;
	size_t i = h->run, done = 0;

	/* most texts have no run worth decoding: no call to free() either */
	if (depth >= NEST_MAX || i >= n)
		return;
	while (i < n && done < INJECTION_DECODE_MAX) {
		size_t s, e, k, hexlen = 0, dl;
		double pw;

		if (!next_run((const unsigned char *)t, n, i, h, &s, &e))
			break;
		i = e;
		/* a run begins with a base64 byte: leading '=' are not part of it */
		while (s < e && t[s] == '=')
			s++;
		if (e - s < PAYLOAD_MIN)
			continue;
		if (!buf) {
			buf = malloc(INJECTION_PAYLOAD_MAX);
			if (!buf)
				return;
		}
		for (k = s; k < e; k++)
			hexlen += hexv((unsigned char)t[k]) >= 0;
		if (hexlen == e - s && (e - s) % 2 == 0)
			dl = hex_decode(t + s, e - s, buf, INJECTION_PAYLOAD_MAX);
		else
			dl = scan_b64_decode(t + s, e - s, buf, INJECTION_PAYLOAD_MAX);
		done++;
		if (!looks_like_text(buf, dl))
			continue;
		pw = payload_weight(buf, dl, depth);
		if (pw > 0)
			note(st, EXTRA_SIG(INJ_ENCODED), "encoded-instruction",
			     pw + (1 - pw) * 0.6, s, e);
	}
	free(buf);
}

/* The text names rot13 (or Caesar) somewhere from block `from` on, in any case. */
static int rot13_asked(const char *t, size_t n, size_t from)
{
	static const char *const cues[] = { "rot13", "rot-13", "rot 13", "caesar", NULL };
	const unsigned char *u = (const unsigned char *)t;
	unsigned char pad[PAD];
	const char *const *c;
	size_t base;

	for (base = from; base < n; base += BLOCK) {
		struct rare_bits r;
		uint64_t m;

		rare_bits(block_at(u, n, base, pad), 0, 1, &r);
		for (m = r.cue; m; m &= m - 1) {
			size_t i = base + ctz64(m);

			for (c = cues; *c; c++)
				if (strlen(*c) <= n - i && !strncasecmp(t + i, *c, strlen(*c)))
					return 1;
		}
	}
	return 0;
}

/* rot13 only when the text asks for it: otherwise it would double the cost for nothing. */
static void scan_rot13(struct inj_state *st, const char *t, size_t n, int depth, size_t from)
{
	char *buf;
	size_t i, m;
	double pw;

	if (depth >= NEST_MAX || !rot13_asked(t, n, from))
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
	pw = payload_weight(buf, m, depth);
	if (pw > 0)
		note(st, EXTRA_SIG(INJ_ENCODED), "encoded-instruction",
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

static void scan_hidden(struct inj_state *st, const struct scan_norm *norm, int depth)
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
			double pw = payload_weight(norm->tag_ascii, strlen(norm->tag_ascii), depth);

			if (pw > 0)
				tw = 0.95;
		}
		note(st, EXTRA_SIG(INJ_HIDDEN), "hidden-unicode-tags", tw, b, e);
		return;
	}
	/* a run of >= 3 zero-width/bidi characters (>= 9 bytes), or >= 8 in the text */
	if (run_max >= 9 || drops >= 8)
		note(st, EXTRA_SIG(INJ_HIDDEN), "hidden-zero-width", 0.50, b, e);
	else if (norm->signals & SCAN_SIG_BIDI)
		note(st, EXTRA_SIG(INJ_HIDDEN), "hidden-bidi", 0.35, b, e);
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

static double analyse(const char *t, size_t n, const struct scan_norm *norm, int depth,
		      struct inj_state *st)
{
	struct inj_hints h;

	hints_init(&h, n);
	/* st is fresh (state_init()): scan_words() may start it over */
	scan_words(st, t, n, &h);
	scan_literals(st, t, n, &h);
	scan_hidden(st, norm, depth);
	scan_payloads(st, t, n, depth, &h);
	scan_rot13(st, t, n, depth, h.cue);
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
	struct inj_state st;
	double score;
	size_t i;
	int n = 0, err = 0;

	if (!text && len)
		return -EINVAL;
	if (!dict_ready())
		return -ENOMEM;
	state_init(&st, 0);
	if (norm && norm->view != text)
		norm = NULL;    /* signals describe another buffer */
	score = analyse(text ? text : "", len, norm, 0, &st);
	if (ret_score)
		*ret_score = score;
	if (!out || score < INJECTION_SCORE_MIN)
		return 0;
	qsort(st.span, st.n_span, sizeof(st.span[0]), span_cmp);
	for (i = 0; i < st.n_span; i++) {
		struct scan_finding f = {
			.category = SCAN_CAT_INJECTION,
			.start = st.span[i].start,
			.end = st.span[i].end,
			.confidence = conf_of(score),
			.score = score,
		};

		/* signals too weak to matter on their own are not worth a span */
		if (st.span[i].w < 0.2)
			continue;
		memcpy(f.type, INJECTION_TYPE, sizeof(INJECTION_TYPE));
		strncpy(f.detail, st.span[i].id, sizeof(f.detail) - 1);
		err = scan_result_push(out, &f);
		if (err)
			return err;
		n++;
	}
	return n;
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
