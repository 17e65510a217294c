/* recipient.h - recipient -> mailbox resolution (system users, virtual map).
 *
 * Takes an envelope recipient, returns where its Maildir is and whose it
 * is.  Unknown users are a value (RECIPIENT_UNKNOWN, 550 5.1.1), a lookup that
 * cannot be answered now is RECIPIENT_TEMPFAIL (451 4.3.0).
 */
#ifndef AUTHDELIVER_RECIPIENT_H
#define AUTHDELIVER_RECIPIENT_H

#include <sys/types.h>
#include <stdbool.h>

struct conf;

enum recipient_status { RECIPIENT_OK = 0, RECIPIENT_UNKNOWN, RECIPIENT_TEMPFAIL };

struct mailbox {
	char *address;		/* recipient as given, for Delivered-To */
	char *local;		/* local part without the +detail */
	char *detail;		/* "tag" of user+tag, or NULL */
	char *domain;		/* lower case, or "" */
	char *user;		/* system user name or map key */
	char *home;		/* home directory (system users), or NULL */
	char *maildir;		/* Maildir root, ends without '/' */
	uid_t uid;
	gid_t gid;
	bool system;		/* from getpwnam */
};

/* Resolve rcpt (no angle brackets).  On RECIPIENT_OK fills *mb (release with
 * recipient_clear); otherwise error_r says why (static or in a static buffer). */
enum recipient_status recipient_lookup(const struct conf *c, const char *rcpt,
			     struct mailbox *mb, const char **error_r);
void recipient_clear(struct mailbox *mb);

/* Split rcpt into local part, detail and domain per recipient_delimiter.
 * Returns -1 for an address that is not local@domain or local. */
int recipient_split(const char *rcpt, const char *delims, char **local_r,
	       char **detail_r, char **domain_r);

#endif
