/* auth.c - names of the shared result codes (RFC 8601 section 2.7). */
#include "auth.h"

const char *auth_code_name(enum auth_code c)
{
	switch (c) {
	case AUTH_NONE: return "none";
	case AUTH_PASS: return "pass";
	case AUTH_FAIL: return "fail";
	case AUTH_SOFTFAIL: return "softfail";
	case AUTH_NEUTRAL: return "neutral";
	case AUTH_POLICY: return "policy";
	case AUTH_TEMPERROR: return "temperror";
	case AUTH_PERMERROR: return "permerror";
	}
	return "none";
}
