/* status.c - the single mapping of outcomes to SMTP and exit codes.
 * Like Dovecot's lmtp-local.c choosing 452 4.2.2 vs 552 5.2.2 in one place. */
#include "status.h"

#include <errno.h>
#include <sysexits.h>

static const struct status table[] = {
	[ST_DELIVERED] = { 250, "2.0.0", EX_OK, "delivered" },
	[ST_DISCARDED] = { 250, "2.0.0", EX_OK, "discarded" },
	[ST_UNKNOWN_USER] = { 550, "5.1.1", EX_NOUSER, "bounced" },
	[ST_LOOKUP_TEMPFAIL] = { 451, "4.3.0", EX_TEMPFAIL, "deferred" },
	/* RFC 3463: X.3.1 mail system full */
	[ST_DISK_FULL] = { 452, "4.3.1", EX_TEMPFAIL, "deferred" },
	[ST_IO_TEMPFAIL] = { 451, "4.3.0", EX_TEMPFAIL, "deferred" },
	/* RFC 3463: X.7.1 delivery not authorized, message refused */
	[ST_POLICY_REJECT] = { 550, "5.7.1", EX_NOUSER, "rejected" },
	[ST_VERDICT_TEMPFAIL] = { 451, "4.7.0", EX_TEMPFAIL, "deferred" },
	/* RFC 3463: X.3.4 message too big for system */
	[ST_TOO_BIG] = { 552, "5.3.4", EX_DATAERR, "bounced" },
	/* RFC 3463: X.6.0 other or undefined media error */
	[ST_BAD_MESSAGE] = { 554, "5.6.0", EX_DATAERR, "bounced" },
	[ST_INTERNAL] = { 451, "4.3.0", EX_TEMPFAIL, "deferred" },
};

const struct status *status_of(enum status_kind k)
{
	if ((unsigned)k >= sizeof(table) / sizeof(table[0]))
		k = ST_INTERNAL;
	return &table[k];
}

enum status_kind status_from_errno(int err)
{
	switch (err) {
	case ENOSPC:
#ifdef EDQUOT
	case EDQUOT:
#endif
		return ST_DISK_FULL;
	default:
		return ST_IO_TEMPFAIL;
	}
}

enum status_kind status_from_err(enum status_err e)
{
	switch (e) {
	case SE_OK: return ST_DELIVERED;
	case SE_NOMEM: return ST_INTERNAL;
	case SE_IO: return ST_IO_TEMPFAIL;
	case SE_MALFORMED: return ST_BAD_MESSAGE;
	case SE_TOO_BIG: return ST_TOO_BIG;
	}
	return ST_INTERNAL;	/* an unknown kind is never a bounce */
}

const char *status_err_text(enum status_err e)
{
	switch (e) {
	case SE_OK: return "ok";
	case SE_NOMEM: return "out of memory";
	case SE_IO: return "I/O error";
	case SE_MALFORMED: return "malformed";
	case SE_TOO_BIG: return "too big";
	}
	return "internal error";
}
