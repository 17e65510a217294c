/* sieve_verdict.c - what Sieve may know of the verdict.
 *
 * Takes the verdict (verdict.h); returns the values behind the virtual
 * header fields X-AuthDeliver-* as a struct sieve_facts.  Kept apart from
 * sieve.c so that sieve.c, the sieve-check command, the unit tests and the
 * fuzz target do not depend on the verifiers.
 */
#include "sieve.h"

#include <string.h>

#include "verdict.h"

void sieve_facts_from_verdict(const struct verdict *v, struct sieve_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->folder = "INBOX";
	if (!v)
		return;
	f->spf = verdict_value(v, "spf");
	f->dkim = verdict_value(v, "dkim");
	f->arc = verdict_value(v, "arc");
	f->dmarc = verdict_value(v, "dmarc");
	f->dmarc_policy = verdict_value(v, "dmarc-policy");
	f->disposition = verdict_value(v, "disposition");
	f->folder = verdict_folder(v);
	f->marks = verdict_marks(v);
}
