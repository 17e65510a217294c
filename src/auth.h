/* auth.h - result codes shared by the verifiers (RFC 8601 section 2.7 words).
 *
 * A permerror is a verdict about the message, not a failure of ours.  Our own
 * failures (I/O, memory, DNS timeout) become temperror.
 */
#ifndef AUTHDELIVER_AUTH_H
#define AUTHDELIVER_AUTH_H

enum auth_code {
	AUTH_NONE = 0,
	AUTH_PASS,
	AUTH_FAIL,
	AUTH_SOFTFAIL,		/* SPF only */
	AUTH_NEUTRAL,
	AUTH_POLICY,		/* DKIM: not checked by local policy */
	AUTH_TEMPERROR,
	AUTH_PERMERROR,
};

/* "none", "pass", ... as written in Authentication-Results. */
const char *auth_code_name(enum auth_code);

/* A status plus the reason, for the A-R comment and the log. */
struct auth_res {
	enum auth_code code;
	char reason[128];
};

#endif
