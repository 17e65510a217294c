#ifndef SIEVEINC_H
#define SIEVEINC_H

#include "tree.h"
#include "script.h"
#include "context2.h"

struct vtags {
    int days;
    int seconds;	/* authdeliver 0003: RFC 6131, -1 unset */
    stringlist_t *addresses;
    char *subject;
    int mime;
    char *from;
    char *handle;
};

/* authdeliver 0003: fileinto/redirect tags (RFC 3894, RFC 5490) */
struct ftags {
    int copy, create;
    stringlist_t *flags;
};

/* authdeliver 0006: body tags (RFC 5173) */
struct btags {
    int comptag;
    char *comparator;
    int transform;		/* 0 (:text), RAW, TEXTTAG, CONTENT */
    stringlist_t *types;	/* :content */
};

/* authdeliver 0004: set modifiers (RFC 5229 section 4.1) */
/* the SV_MOD_* bits are in variables.h */
struct stags {
    int mods;
};

/* authdeliver 0010: enotify tags (RFC 5435 section 3) */
struct etags {
    char *from, *importance, *message;
    stringlist_t *options;
};

/* authdeliver 0009: duplicate tags (RFC 7352) */
struct duptags {
    char *handle, *header, *uniqueid;
    int seconds, last;
};

/* authdeliver 0007: date/currentdate tags (RFC 5260) */
struct dtags {
    int comptag;
    char *comparator;
    char *zone;
    int originalzone;
    int index, last;
};

struct hftags {
    char *comparator;
    int comptag;
};

struct htags {
    char *comparator;
    int comptag;
    int index, last;	/* authdeliver 0007: RFC 5260 section 6 */
};

struct aetags {
    int addrtag;
    char *comparator;
    int comptag;
};

struct ntags {
    char *method;
    char *id;
    stringlist_t *options;
    char *priority;
    char *message;
};

static commandlist_t *ret;

static test_t *static_build_address(int t, struct aetags *ae,
			     stringlist_t *sl, patternlist_t *pl);
static test_t *static_build_header(int t, struct htags *h,
			    stringlist_t *sl, patternlist_t *pl);
static commandlist_t *static_build_vacation(int t, struct vtags *h, char *s);
static commandlist_t *static_build_notify(int t, struct ntags *n);
static commandlist_t *static_build_validnotif(int t, stringlist_t *sl);
static struct aetags *static_new_aetags(void);
static struct aetags *static_canon_aetags(struct aetags *ae);
static void static_free_aetags(struct aetags *ae);
static struct hftags *static_new_hftags(void);
static struct htags *static_new_htags(void);
static struct ftags *static_new_ftags(void);	/* authdeliver 0003 */
static struct stags *static_new_stags(void);	/* authdeliver 0004 */
static struct btags *static_new_btags(void);	/* authdeliver 0006 */
static struct dtags *static_new_dtags(void);	/* authdeliver 0007 */
static struct duptags *static_new_duptags(void);	/* authdeliver 0009 */
static struct etags *static_new_etags(void);	/* authdeliver 0010 */
static int static_verify_edit_name(const char *name);	/* authdeliver 0011 */
static commandlist_t *static_build_deleteheader(struct htags *h, char *name, stringlist_t *keys);
static test_t *static_build_date(int t, struct dtags *d, char *header, char *part,
                                 stringlist_t *keys);
static char *static_body_query(struct btags *b);
static struct htags *static_canon_numeric(struct htags *h);
static struct htags *static_canon_htags(struct htags *h);
static void static_free_htags(struct htags *h);
static struct vtags *static_new_vtags(void);
static struct vtags *static_canon_vtags(struct vtags *v);
static void static_free_vtags(struct vtags *v);
static struct ntags *static_new_ntags(void);
static struct ntags *static_canon_ntags(struct ntags *n);
static void static_free_ntags(struct ntags *n);

static int static_verify_stringlist(stringlist_t *sl, int (*verify)(const char *));
static int static_verify_mailbox(const char *s);
static int static_verify_address(const char *s);
static int static_verify_header(const char *s);
static int static_verify_flag(const char *s);
static regex_t *static_verify_regex(const char *s, int cflags);
static patternlist_t *static_verify_regexs(stringlist_t *sl, char *comp);
static int static_ok_header(char *s);

static int static_check_reqs(struct sieve2_context *context, char *req);

#endif /* SIEVEINC_H */
