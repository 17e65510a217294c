/* mbox.h - transitional: the old names of recipient.h (this module was
 * src/mbox.c; it looks up recipients, nothing in it is mbox).  Kept only
 * so that branches in flight (src/sieve*.c, cmd_sieve.c) still build;
 * new code includes recipient.h.  Remove once nothing includes this. */
#ifndef AUTHDELIVER_MBOX_H
#define AUTHDELIVER_MBOX_H

#include "recipient.h"

#define mbox_status recipient_status
#define MBOX_OK RECIPIENT_OK
#define MBOX_UNKNOWN RECIPIENT_UNKNOWN
#define MBOX_TEMPFAIL RECIPIENT_TEMPFAIL
#define MBOX_MAX_ADDRESS RECIPIENT_MAX_ADDRESS
#define mbox_lookup recipient_lookup
#define mbox_clear recipient_clear
#define mbox_split recipient_split

#endif
