/* variables.h - authdeliver patch 0004: RFC 5229 variables for libsieve.
 *
 * Variables live in the context for one execution.  Strings made by
 * expansion are owned by the context (freed with it).  Limits: at most
 * SV_MAX_VARS variables, a value at most SV_MAX_VALUE bytes (longer ones
 * are cut, as Pigeonhole does), SV_VAR_ARENA bytes of expanded strings
 * per execution (beyond: a run-time error). */
#ifndef SV_VARIABLES_H
#define SV_VARIABLES_H

#include "tree.h"

#define SV_MAX_VARS	128
#define SV_MAX_NAME	64
#define SV_MAX_VALUE	4096
#define SV_VAR_ARENA	(4u << 20)
#define SV_MAX_MATCH	10	/* ${0} .. ${9} */

#define SV_MOD_LOWER		0x01
#define SV_MOD_UPPER		0x02
#define SV_MOD_LOWERFIRST	0x04
#define SV_MOD_UPPERFIRST	0x08
#define SV_MOD_QUOTEWILDCARD	0x10
#define SV_MOD_LENGTH		0x20

struct sieve2_context;

int libsieve_variable_name_ok(const char *name);
void libsieve_vars_reset(struct sieve2_context *c);
void libsieve_vars_free(struct sieve2_context *c);
/* Expand ${...} in s (RFC 5229 section 3); s itself when there is
 * nothing to expand or variables were not required. */
char *libsieve_expand(struct sieve2_context *c, char *s);
stringlist_t *libsieve_expand_sl(struct sieve2_context *c, stringlist_t *sl);
/* authdeliver 0012: the :regex keys of a test with those that refer to a
 * variable expanded and compiled (freed with the variables); a key that
 * does not compile is a run-time error and matches nothing.  At most
 * SV_MAX_RUNTIME_RE such compilations per execution. */
#define SV_MAX_RUNTIME_RE 256
patternlist_t *libsieve_expand_pl(struct sieve2_context *c, patternlist_t *pl);
void libsieve_var_set(struct sieve2_context *c, const char *name,
		      const char *value, int mods);
/* After a successful :matches or :regex comparison of text: copy the
 * comparator's groups into ${0}..${9} (RFC 5229 section 3.2). */
void libsieve_vars_set_matches(struct sieve2_context *c);
/* authdeliver 0008: include (RFC 6609) scopes and "global" */
void libsieve_var_global(struct sieve2_context *c, const char *name);
void libsieve_vars_push(struct sieve2_context *c);
void libsieve_vars_pop(struct sieve2_context *c);

/* Filled by the :matches and :regex comparators (comparator.c). */
struct sv_cap { int off, len; };
extern struct sv_cap libsieve_caps[SV_MAX_MATCH];
extern int libsieve_ncaps;
extern const char *libsieve_cap_text;

#endif
