/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Restores tokenized values in a streamed response (text/event-stream) as it
 * flows, without buffering the stream.
 *
 * A placeholder may be cut anywhere: across reads (mid-line, mid-event,
 * mid-UTF-8) and across events (the model emits "[[EMA" in one delta and
 * "IL_3F9A1C2B7D]]" in the next).  The restorer therefore
 *  - holds the bytes of the event being received until its blank line (an
 *    event is forwarded as soon as it is complete; comment lines that start an
 *    event, such as ": ping", go out at once);
 *  - per text stream (a choice's delta.content, delta.refusal, each
 *    delta.tool_calls[].function.arguments, legacy choices[].text; Responses
 *    API response.output_text.delta, response.refusal.delta and
 *    response.function_call_arguments.delta per output/content index) holds
 *    back only a tail that could begin a placeholder: at most the vault's
 *    longest placeholder - 1 bytes, and nothing when the tail cannot start one.
 *    The event goes out with the safe prefix restored; the tail is carried into
 *    the stream's next piece.
 *  - flushes a held tail into the next event of the same choice that is not a
 *    piece of that stream (the finish_reason chunk, a tool call starting), and
 *    as events of its own (built from the last chunk's id/model/...) before a
 *    non-delta event (data: [DONE], an error, a Responses .done event), and at
 *    finish.
 * Everything else passes byte for byte: comments, event:/id:/retry: lines,
 * non-JSON data, events with nothing to restore.  Non-delta JSON events
 * (response.completed, .done events with the full text) are restored whole.
 * Tool-call arguments are JSON text: values restored into them are escaped.
 *
 * Memory: the current event (at most SSE_MAX_EVENT_BYTES) plus the caller's
 * read, plus VAULT_PLACEHOLDER_MAX bytes per held stream, whatever the stream's
 * length.
 */
#ifndef AIRLOCK_SCAN_SSE_H
#define AIRLOCK_SCAN_SSE_H

#include <stddef.h>

#include "vault.h"

#define SSE_MAX_EVENT_BYTES (1u << 20)  /* one event (its lines) */
#define SSE_MAX_HELD        256         /* streams holding a tail at once; more are not held */

struct sse_restorer;

/* v: the request's vault (borrowed; must outlive the restorer).  NULL on ENOMEM. */
struct sse_restorer *sse_restorer_new(const struct vault *v);
struct sse_restorer *sse_restorer_free(struct sse_restorer *r);

/*
 * Feed the next len bytes of the stream; whatever is safe to send is appended
 * to out.  0, or -EMSGSIZE for an event larger than SSE_MAX_EVENT_BYTES, or
 * -ENOMEM (the stream should then be cut with an error event).
 */
int sse_restorer_feed(struct sse_restorer *r, const char *bytes, size_t len,
		      struct vault_buf *out);

/* End of stream: flush held text and any unterminated last event. */
int sse_restorer_finish(struct sse_restorer *r, struct vault_buf *out);

/* Bytes held right now (pending input and held tails). */
size_t sse_restorer_buffered(const struct sse_restorer *r);

#endif /* AIRLOCK_SCAN_SSE_H */
