/* script.c -- sieve script functions
 * Larry Greenfield
 * $Id$
 */
/***********************************************************
        Copyright 1999 by Carnegie Mellon University

                      All Rights Reserved

Permission to use, copy, modify, and distribute this software and its
documentation for any purpose and without fee is hereby granted,
provided that the above copyright notice appear in all copies and that
both that copyright notice and this permission notice appear in
supporting documentation, and that the name of Carnegie Mellon
University not be used in advertising or publicity pertaining to
distribution of the software without specific, written prior
permission.

CARNEGIE MELLON UNIVERSITY DISCLAIMS ALL WARRANTIES WITH REGARD TO
THIS SOFTWARE, INCLUDING ALL IMPLIED WARRANTIES OF MERCHANTABILITY AND
FITNESS, IN NO EVENT SHALL CARNEGIE MELLON UNIVERSITY BE LIABLE FOR
ANY SPECIAL, INDIRECT OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT
OF OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
******************************************************************/

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <string.h>
#include <ctype.h>

/* sv_include */
#include "sieve2.h"

/* sv_interface */
#include "message.h"
#include "message2.h"
#include "callbacks2.h"
#include "context2.h"
#include "script.h"
#include "sieve.h"
#include "tree.h"

/* sv_util */
#include "util.h"

/* sv_parser */
#include "parser.h"
#include "variables.h"
#include "date.h"
#include <time.h>

/* authdeliver 0004: ${...} in a string or string list at run time */
#define X(s) libsieve_expand(context, (s))
#define XL(sl) libsieve_expand_sl(context, (sl))
/* the keys of a test: expanded; :regex keys with ${...} compiled after it */
#define XP(pl, tag) ((tag) == REGEX ? libsieve_expand_pl(context, (pl)) \
                                    : (patternlist_t *)XL((stringlist_t *)(pl)))
#define CAPTURES(tag) ((tag) == MATCHES || (tag) == REGEX)

#define THIS_MODULE "sv_interface"
#define THIS_CONTEXT context

static int sysaddr(char *addr)
{
    if (!strncasecmp(addr, "MAILER-DAEMON", 13))
        return 1;

    if (!strncasecmp(addr, "LISTSERV", 8))
        return 1;

    if (!strncasecmp(addr, "majordomo", 9))
        return 1;

    if (strstr(addr, "-request"))
        return 1;

    if (!strncmp(addr, "owner-", 6))
        return 1;

    return 0;
}

/* look for myaddr and myaddrs in the body of a header - return the match */
static char *look_for_me(char *myaddr, stringlist_t *myaddrs, char **body)
{
    char *found = NULL;
    int l;
    stringlist_t *sl;

    /* Short circuit if myaddr is NULL */
    if (myaddr == NULL)
            return NULL;

    /* loop through each TO header */
    for (l = 0; body[l] != NULL && !found; l++) {
        struct address *data = NULL;
        struct addr_marker *marker = NULL;
        char *addr;

        libsieve_parse_address(body[l], &data, &marker);
        /* loop through each address in the header */
        while (!found && ((addr = libsieve_get_address(NULL, ADDRESS_ALL, &marker, 1)) != NULL)) {
            if (!strcasecmp(addr, myaddr)) {
                found = myaddr;
                break;
            }

            for (sl = myaddrs; sl != NULL && !found; sl = sl->next) {
                struct address *altdata = NULL;
                struct addr_marker *altmarker = NULL;
                char *altaddr;

                /* is this address one of my addresses? */
                libsieve_parse_address(sl->s, &altdata, &altmarker);
                altaddr = libsieve_get_address(NULL, ADDRESS_ALL, &altmarker, 1);
                if (!strcasecmp(addr, altaddr))
                    found = sl->s;

                libsieve_free_address(&altdata, &altmarker);
            }
        }
        libsieve_free_address(&data, &marker);
    }

    return found;
}

/* evaluates the test t. returns 1 if true, 0 if false.
 */
static int static_evaltest(struct sieve2_context *context, test_t *t)
{
    testlist_t *tl;
    stringlist_t *sl;
    patternlist_t *pl;
    int res = 0;
    int addrpart = 0;

    if (t == NULL) {
            TRACE_DEBUG("t is null");
            return 0;
    }

    switch (t->type) {
    case ADDRESS:
    case ENVELOPE:
        switch (t->u.ae.addrpart) {
        case ALL: addrpart = ADDRESS_ALL; break;
        case LOCALPART: addrpart = ADDRESS_LOCALPART; break;
        case DOMAIN: addrpart = ADDRESS_DOMAIN; break;
        case USER: addrpart = ADDRESS_USER; break;
        case DETAIL: addrpart = ADDRESS_DETAIL; break;
        }
        for (sl = XL(t->u.ae.sl); sl != NULL && !res; sl = sl->next) {
            int l;
            char **body;
            char **header;
            char *envelope;
            int freebody = 0;

            /* use getheader for address, getenvelope for envelope */
            if (t->type == ADDRESS) {
                if (libsieve_do_getheader(context, sl->s, &header) != SIEVE2_OK)
                    continue; /* try next header */
                body = header;
            } else {
                if (libsieve_do_getenvelope(context, sl->s, &envelope) != SIEVE2_OK)
                    continue; /* try next header */
                body = libsieve_malloc(2 * sizeof(char *));
                body[0] = envelope;
                body[1] = NULL;
                freebody = 1;
            }

            // For :count, tally up the instances of the header and then call
            // the comparator with that numeric value in a decimal string.
            int count = 0;

            for (pl = XP(t->u.ae.pl, t->u.ae.comptag); pl != NULL && !res; pl = pl->next) {
                for (l = 0; body[l] != NULL && !res; l++) {
                    /* loop through each header */
                    struct address *data = NULL;
                    struct addr_marker *marker = NULL;
                    char *val;

                    libsieve_parse_address(body[l], &data, &marker);
                    val = libsieve_get_address(context, addrpart, &marker, 0);
                    while (val != NULL && !res) {
                        /* loop through each address */
                        if (libsieve_relational_count(t->u.h.comptag)) {
                            count++;
                        } else {
                            res |= t->u.ae.comp(pl->p, val);
                            if (res && CAPTURES(t->u.ae.comptag))
                                libsieve_vars_set_matches(context);
                        }
                        val = libsieve_get_address(context, addrpart, &marker, 0);
                           }
                    libsieve_free_address(&data, &marker);
                }

                if (libsieve_relational_count(t->u.h.comptag)) {
                    char countstr[20];
                    snprintf(countstr, 19, "%d", count);
                    TRACE_DEBUG("Count was [%s] compfunc is [%p](%s, %s)",
                            countstr, t->u.ae.comp, (char *)pl->p, countstr);
                    res |= t->u.ae.comp(pl->p, countstr);
                }
            }

            if (freebody)
                libsieve_free(body);
        }
        break;
    case ANYOF:
        res = 0;
        for (tl = t->u.tl; tl != NULL && !res; tl = tl->next) {
            /* Short-circuit as soon as any test passes. */
            if (static_evaltest(context, tl->t)) {
                res = 1;
                break;
            }
        }
        break;
    case ALLOF:
        res = 1;
        for (tl = t->u.tl; tl != NULL && res; tl = tl->next) {
            res &= static_evaltest(context, tl->t);
            /* Short-circuit as soon as any test fails. */
            if (! static_evaltest(context, tl->t)) {
                res = 0;
                break;
            }
        }
        break;
    case EXISTS:
        res = 1;
        for (sl = XL(t->u.sl); sl != NULL && res; sl = sl->next) {
            char **headbody = NULL;
            if (libsieve_do_getheader(context, sl->s, &headbody) != SIEVE2_OK) {
                res = 0;
                break;
            }
        }
        break;
    case SFALSE:
        res = 0;
        break;
    case STRUE:
        res = 1;
        break;
    case MAILBOXEXISTS:
        /* authdeliver 0003: RFC 5490 section 3.1, asked of the host
         * through its reserved virtual header namespace */
        res = 1;
        for (sl = XL(t->u.sl); sl != NULL && res; sl = sl->next) {
            char **body = NULL;
            char *q = libsieve_strconcat("X-AuthDeliver-Mailbox-Exists/", sl->s, NULL);
            if (libsieve_do_getheader(context, q, &body) != SIEVE2_OK)
                res = 0;
            libsieve_free(q);
        }
        break;
    case STRINGT:
        /* authdeliver 0004: RFC 5229 section 5; :count counts the
         * non-empty source strings */
        res = 0;
        for (pl = XP(t->u.h.pl, t->u.h.comptag); pl != NULL && !res; pl = pl->next) {
            int count = 0;
            for (sl = XL(t->u.h.sl); sl != NULL && !res; sl = sl->next) {
                if (libsieve_relational_count(t->u.h.comptag)) {
                    if (sl->s[0])
                        count++;
                } else {
                    res |= t->u.h.comp(pl->p, sl->s);
                    if (res && CAPTURES(t->u.h.comptag))
                        libsieve_vars_set_matches(context);
                }
            }
            if (libsieve_relational_count(t->u.h.comptag)) {
                char countstr[20];
                snprintf(countstr, sizeof(countstr), "%d", count);
                res |= t->u.h.comp(pl->p, countstr);
            }
        }
        break;
    case SPAMTEST:	/* authdeliver 0003: a header test on the host's value */
    case BODY:		/* authdeliver 0006: ... on the host's body parts */
    case HEADER:
        res = 0;
        TRACE_DEBUG("Doing a header comparison");
        TRACE_DEBUG("Relation is [%d]", t->u.h.comptag);
        for (sl = XL(t->u.h.sl); sl != NULL && !res; sl = sl->next) {
            char **val;
            size_t l;
            TRACE_DEBUG("Asking for header [%s]", sl->s);
            if (libsieve_do_getheader(context, sl->s, &val) != SIEVE2_OK)
                continue;
            /* authdeliver 0007: :index N [:last] picks one field */
            size_t nval = 0, want = (size_t)-1;
            while (val[nval] != NULL) nval++;
            if (t->u.h.index > 0) {
                if ((size_t)t->u.h.index > nval)
                    continue;
                want = t->u.h.last ? nval - (size_t)t->u.h.index : (size_t)t->u.h.index - 1;
            }
            for (pl = XP(t->u.h.pl, t->u.h.comptag); pl != NULL && !res; pl = pl->next) {
                int count = 0;
                for (l = 0; val[l] != NULL && !res; l++) {
                    if (want != (size_t)-1 && l != want)
                        continue;
                    TRACE_DEBUG("test HEADER comparing [%s] with [%s]",
                        (char *)pl->p, val[l]);
                    if (libsieve_relational_count(t->u.h.comptag)) {
                        count++;
                    } else {
                        res |= t->u.h.comp(pl->p, val[l]);
                        if (res && CAPTURES(t->u.h.comptag))
                            libsieve_vars_set_matches(context);
                    }
                }

                if (libsieve_relational_count(t->u.h.comptag)) {
                    char countstr[20];
                    snprintf(countstr, 19, "%d", count);
                    TRACE_DEBUG("Count was [%s] compfunc is [%p](%s, %s)",
                        countstr, t->u.h.comp, (char *)pl->p, countstr);
                    res |= t->u.h.comp(pl->p, countstr);
                }
            }
        }
        break;
    case HASFLAG:
        res = 0;
        for (sl = t->u.h.sl; sl != NULL && !res; sl = sl->next) {
            stringlist_t *csl;
            for (csl = context->slflags; csl != NULL; csl = csl->next) {
            // FIXME:    res |= t->u.h.comp(pl->p, val[l]);
                if (strcasecmp(csl->s, sl->s) == 0) {
                    res = 1;
                    break;
                }
            }
            if (res)
                break;
        }
        break;
    case NOT:
        res = !static_evaltest(context, t->u.t);
        break;
    case VALIDNOTIFY:
        /* authdeliver 0010: RFC 5435 section 5, the host validates */
        res = 1;
        for (sl = XL(t->u.sl); sl != NULL && res; sl = sl->next) {
            char **body = NULL;
            char *q = libsieve_strconcat("X-AuthDeliver-Notify-Valid/", sl->s, NULL);
            if (libsieve_do_getheader(context, q, &body) != SIEVE2_OK)
                res = 0;
            libsieve_free(q);
        }
        break;
    case NOTIFYCAP:
    {
        /* RFC 5435 section 6, RFC 5436 section 2.6: "online" of a
         * valid mailto URI is "maybe" */
        stringlist_t *a = XL(t->u.h.sl);
        char **body = NULL;
        char *q = libsieve_strconcat("X-AuthDeliver-Notify-Valid/", a->s, NULL);
        int valid = libsieve_do_getheader(context, q, &body) == SIEVE2_OK;
        libsieve_free(q);
        res = 0;
        if (!valid || strcasecmp(a->next->s, "online"))
            break;
        for (pl = XP(t->u.h.pl, t->u.h.comptag); pl != NULL && !res; pl = pl->next) {
            res |= t->u.h.comp(pl->p, "maybe");
            if (res && CAPTURES(t->u.h.comptag))
                libsieve_vars_set_matches(context);
        }
        break;
    }
    case DUPLICATE:
    {
        /* authdeliver 0009: RFC 7352 section 3: the host checks the
         * tracking record and keeps a mark to record after delivery */
        char **val = NULL;
        const char *id = NULL;
        char secs[16];
        res = 0;
        if (t->u.dup.uniqueid) {
            id = X(t->u.dup.uniqueid);
        } else {
            const char *h = t->u.dup.header ? X(t->u.dup.header) : "Message-ID";
            if (libsieve_do_getheader(context, h, &val) == SIEVE2_OK && val[0])
                id = val[0];
        }
        if (!id)
            break;	/* no identifier: not a duplicate */
        snprintf(secs, sizeof(secs), "%d", t->u.dup.seconds);
        char *q = libsieve_strconcat("X-AuthDeliver-Duplicate/", secs, t->u.dup.last ? "/last/" : "/first/",
                                     t->u.dup.handle ? X(t->u.dup.handle) : "", "\n", id, NULL);
        char **ans = NULL;
        res = libsieve_do_getheader(context, q, &ans) == SIEVE2_OK;
        libsieve_free(q);
        break;
    }
    case DATE:
    case CURRENTDATE:
    {
        /* authdeliver 0007: RFC 5260 sections 4 and 5 */
        time_t when;
        int zone, ozone = 0;
        char value[64];
        res = 0;
        if (t->type == CURRENTDATE) {
            when = time(NULL);
            ozone = libsieve_local_zone(when);
        } else {
            char **val;
            size_t n = 0, pick = 0;
            if (libsieve_do_getheader(context, X(t->u.dt.header), &val) != SIEVE2_OK)
                break;
            while (val[n] != NULL) n++;
            if (t->u.dt.index > 0) {
                if ((size_t)t->u.dt.index > n)
                    break;
                pick = t->u.dt.last ? n - (size_t)t->u.dt.index : (size_t)t->u.dt.index - 1;
            }
            /* the value of a Received field: the date after the last ";" */
            const char *v = val[pick];
            const char *semi = strrchr(v, ';');
            if (semi && !strncasecmp(X(t->u.dt.header), "received", 8))
                v = semi + 1;
            if (libsieve_date_parse(v, &when, &ozone) < 0)
                break;
        }
        if (t->u.dt.originalzone)
            zone = ozone;
        else if (t->u.dt.zone) {
            if (libsieve_zone_parse(X(t->u.dt.zone), &zone) < 0)
                break;
        } else
            zone = libsieve_local_zone(when);
        if (libsieve_date_part(when, zone, X(t->u.dt.part), value, sizeof(value)) < 0)
            break;
        for (pl = XP(t->u.dt.pl, t->u.dt.comptag); pl != NULL && !res; pl = pl->next) {
            if (libsieve_relational_count(t->u.dt.comptag)) {
                res |= t->u.dt.comp(pl->p, "1");
            } else {
                res |= t->u.dt.comp(pl->p, value);
                if (res && CAPTURES(t->u.dt.comptag))
                    libsieve_vars_set_matches(context);
            }
        }
        break;
    }
    case SIZE:
    {
        int sz;

        if (libsieve_do_getsize(context, &sz) != SIEVE2_OK)
            break;

        if (t->u.sz.t == OVER) {
            res = (sz > t->u.sz.n);
        } else { /* UNDER */
            res = (sz < t->u.sz.n);
        }
        break;
    }
    }

    return res;
}

/* authdeliver 0008: RFC 6609 include.  The host hands over the script
 * text as the value of X-AuthDeliver-Include/personal/NAME (or
 * /global/NAME); it is parsed with its own require list, evaluated in a
 * variable scope of its own; "return" ends it, "stop" everything.
 * Errors (loop, nesting, count, missing script, parse error) fail the
 * whole evaluation. */
#define SV_RETURN 2
static int static_include(struct sieve2_context *context, commandlist_t *c, const char **errmsg)
{
    char *name = X(c->u.inc.name);
    const char *loc = (c->u.inc.flags & 1) ? "global" : "personal";
    char *key = libsieve_strconcat(loc, "/", name, NULL);
    char **body = NULL;
    int i, res;

    for (i = 0; i < context->include_depth; i++)
        if (!strcmp(context->include_chain[i], key)) {
            libsieve_free(key);
            *errmsg = "include loop";
            libsieve_do_error_exec(context, "include: the script includes itself (a loop)");
            return -1;
        }
    if (c->u.inc.flags & 2)
        for (i = 0; i < context->include_total; i++)
            if (!strcmp(context->included[i], key)) {
                libsieve_free(key);
                return 0;	/* :once, already included */
            }
    if (context->include_depth >= SV_MAX_INCLUDE_DEPTH || context->include_total >= SV_MAX_INCLUDES) {
        libsieve_free(key);
        libsieve_do_error_exec(context, context->include_depth >= SV_MAX_INCLUDE_DEPTH
                               ? "include: nested deeper than 10" : "include: more than 255 includes");
        return -1;
    }
    char *q = libsieve_strconcat("X-AuthDeliver-Include/", key, NULL);
    int got = libsieve_do_getheader(context, q, &body);
    libsieve_free(q);
    if (got != SIEVE2_OK || !body || !body[0]) {
        libsieve_free(key);
        if (c->u.inc.flags & 4)
            return 0;	/* :optional */
        libsieve_do_error_exec(context, "include: script not found");
        return -1;
    }
    context->included[context->include_total++] = libsieve_strdup(key);
    context->include_chain[context->include_depth++] = key;

    /* parse it in place of the including script */
    const char *osrc = context->script.script;
    int olen = context->script.length, oerr = context->parse_errors;
    struct support2 oreq = context->require;
    context->script.script = body[0];
    context->script.length = (int)strlen(body[0]);
    commandlist_t *tree = libsieve_sieve_parse_buffer(context);
    if (context->parse_errors != oerr) {
        res = -1;
    } else {
        libsieve_vars_push(context);
        res = libsieve_eval(context, tree, errmsg);
        libsieve_vars_pop(context);
        if (res == SV_RETURN)
            res = 0;
    }
    if (tree)
        libsieve_free_tree(tree);
    context->script.script = osrc;
    context->script.length = olen;
    context->require = oreq;
    context->include_depth--;
    libsieve_free(context->include_chain[context->include_depth]);
    return res;
}

/* evaluate the script c.  returns negative if error was encountered,
   0 if it exited off the end, or positive if a stop action was encountered.
   note that this is very stack hungry; we just evaluate the AST in
   the naivest way.  if we implement some sort of depth limit, we'll
   be ok here; otherwise we'd want to transform it a little smarter */
// TODO: Can we change this to be iterative, or somehow tail-recursive-optimized?
/* authdeliver 0011: editheader (RFC 5293), done by the host through
 * getheader on reserved names (the host keeps the edited header, so that
 * later tests see it, section 7):
 *   X-AuthDeliver-Addheader/first/LEN/NAMEVALUE (or /last/): add a field,
 *     LEN the length of NAME in decimal
 *   X-AuthDeliver-Deleteheader/check/NAME: answered (exists) only when
 *     the host lets scripts delete NAME
 *   X-AuthDeliver-Deleteheader/I/NAME: delete the I-th (from 0) of the
 *     values getheader NAME gave; asked highest I first.
 * Sized exactly: libsieve_strconcat allocates one byte short. */
static char *static_eh_query(const char *a, const char *b, const char *c, const char *d)
{
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c), ld = strlen(d);
    char *q = libsieve_malloc(la + lb + lc + ld + 1);
    if (!q)
        return NULL;
    memcpy(q, a, la);
    memcpy(q + la, b, lb);
    memcpy(q + la + lb, c, lc);
    memcpy(q + la + lb + lc, d, ld + 1);
    return q;
}

static int static_editheader(struct sieve2_context *context, commandlist_t *c)
{
    char **val = NULL, num[24], *q;
    size_t nval = 0, l, want = (size_t)-1, ndel = 0, *del;
    patternlist_t *pl;
    test_t *t = c->u.eh.t;
    const char *name;

    if (c->type == ADDHEADER) {
        const char *n = X(c->u.eh.name);
        snprintf(num, sizeof(num), "%lu/", (unsigned long)strlen(n));
        char *nv = static_eh_query(n, X(c->u.eh.value), "", "");
        q = nv ? static_eh_query("X-AuthDeliver-Addheader/", c->u.eh.last ? "last/" : "first/", num, nv) : NULL;
        libsieve_free(nv);
        if (!q)
            return SIEVE2_ERROR_NOMEM;
        libsieve_do_getheader(context, q, &val);
        libsieve_free(q);
        return 0;
    }
    name = XL(t->u.h.sl)->s;
    q = static_eh_query("X-AuthDeliver-Deleteheader/check/", name, "", "");
    if (!q)
        return SIEVE2_ERROR_NOMEM;
    l = libsieve_do_getheader(context, q, &val) == SIEVE2_OK;
    libsieve_free(q);
    if (!l || libsieve_do_getheader(context, name, &val) != SIEVE2_OK)
        return 0;	/* protected (the host said why), or no such field */
    while (val[nval] != NULL) nval++;
    if (t->u.h.index > 0) {
        if ((size_t)t->u.h.index > nval)
            return 0;
        want = t->u.h.last ? nval - (size_t)t->u.h.index : (size_t)t->u.h.index - 1;
    }
    del = libsieve_malloc((nval + 1) * sizeof(*del));
    if (!del)
        return SIEVE2_ERROR_NOMEM;
    for (l = 0; l < nval; l++) {
        int hit = !c->u.eh.last;	/* no value-patterns: every occurrence */
        if (want != (size_t)-1 && l != want)
            continue;
        for (pl = XP(t->u.h.pl, t->u.h.comptag); pl != NULL && !hit; pl = pl->next)
            hit = t->u.h.comp(pl->p, val[l]);
        if (hit)
            del[ndel++] = l;
    }
    while (ndel > 0) {
        snprintf(num, sizeof(num), "%lu/", (unsigned long)del[--ndel]);
        q = static_eh_query("X-AuthDeliver-Deleteheader/", num, name, "");
        if (!q)
            break;
        libsieve_do_getheader(context, q, &val);
        libsieve_free(q);
    }
    libsieve_free(del);
    return 0;
}

int libsieve_eval(struct sieve2_context *context,
                  commandlist_t *c, const char **errmsg)
{
    int res = 0;
    stringlist_t *sl;

    TRACE_DEBUG("starting into libsieve_eval");

    if (c == NULL)
        TRACE_DEBUG("the commandlist is null");
    else
        TRACE_DEBUG("the commandlist type is [%d]", c->type);

    while (c != NULL) {
        TRACE_DEBUG("top of the eval loop");
        switch (c->type) {
        case IF:
            if (static_evaltest(context, c->u.i.t))
                res = libsieve_eval(context, c->u.i.do_then, errmsg);
            else
                res = libsieve_eval(context, c->u.i.do_else, errmsg);
            break;
        case REJCT:
            res = libsieve_do_reject(context, X(c->u.str));
            if (res == SIEVE2_ERROR_EXEC)
                *errmsg = "Reject can not be used with any other action";
            TRACE_DEBUG("Doing a reject");
            break;
        case FILEINTO:
            res = libsieve_do_fileinto(context, X(c->u.f.mailbox), XL(c->u.f.slflags),
                                       c->copy, c->create);
            if (res == SIEVE2_ERROR_EXEC)
                *errmsg = "Fileinto can not be used with Reject";
            TRACE_DEBUG("Doing a fileinto");
            break;
        case REDIRECT:
            res = libsieve_do_redirect(context, X(c->u.str), c->copy);
            if (res == SIEVE2_ERROR_EXEC)
                *errmsg = "Redirect can not be used with Reject";
            TRACE_DEBUG("Doing a redirect");
            break;
        case KEEP:
            res = libsieve_do_keep(context, XL(c->u.f.slflags));
            if (res == SIEVE2_ERROR_EXEC)
                *errmsg = "Keep can not be used with Reject";
            TRACE_DEBUG("Doing a keep");
            break;
        case VACATION:
            {
                char **body;
                char *fromaddr;
                char *found = NULL;
                char *myaddr = NULL;
                char *reply_to = NULL;
                int l = SIEVE2_OK;
                struct address *data = NULL;
                struct addr_marker *marker = NULL;
                char *tmp;

                TRACE_DEBUG("Starting into a VACATION action.");
                /* authdeliver 0004: the arguments with variables */
                char *v_subject = X(c->u.v.subject), *v_from = X(c->u.v.from);
                char *v_message = X(c->u.v.message), *v_handle = X(c->u.v.handle);
                stringlist_t *v_addresses = XL(c->u.v.addresses);

                /* is there an Auto-Submitted keyword other than "no"? */
                if (libsieve_do_getheader(context, "auto-submitted", &body) == SIEVE2_OK) {
                    /* we don't deal with comments, etc. here */
                    /* skip leading white-space */
                    while (body[0] && *body[0] && isspace((int) *body[0])) body[0]++;
                    if (strcasecmp(body[0], "no")) l = SIEVE2_DONE;
                }

                if (l == SIEVE2_DONE)
                        TRACE_DEBUG("VACATION aborted by Auto-Submitted header.");

                if (l == SIEVE2_OK && libsieve_do_getheader(context, "List-Id", &body) == SIEVE2_OK) {
                    l = SIEVE2_DONE;
                    TRACE_DEBUG("VACATION aborted by List-Id header.");
                }

                if (l == SIEVE2_OK && libsieve_do_getheader(context, "List-Help", &body) == SIEVE2_OK) {
                    l = SIEVE2_DONE;
                    TRACE_DEBUG("VACATION aborted by List-Help header.");
                }

                if (l == SIEVE2_OK && libsieve_do_getheader(context, "List-Subscribe", &body) == SIEVE2_OK) {
                    l = SIEVE2_DONE;
                    TRACE_DEBUG("VACATION aborted by List-Subscribe header.");
                }

                if (l == SIEVE2_OK && libsieve_do_getheader(context, "List-Unsubscribe", &body) == SIEVE2_OK) {
                    l = SIEVE2_DONE;
                    TRACE_DEBUG("VACATION aborted by List-Unsubscribe header.");
                }

                if (l == SIEVE2_OK && libsieve_do_getheader(context, "List-Post", &body) == SIEVE2_OK) {
                    l = SIEVE2_DONE;
                    TRACE_DEBUG("VACATION aborted by List-Post header.");
                }

                if (l == SIEVE2_OK && libsieve_do_getheader(context, "List-Owner", &body) == SIEVE2_OK) {
                    l = SIEVE2_DONE;
                    TRACE_DEBUG("VACATION aborted by List-Owner header.");
                }

                if (l == SIEVE2_OK && libsieve_do_getheader(context, "List-Archive", &body) == SIEVE2_OK) {
                    l = SIEVE2_DONE;
                    TRACE_DEBUG("VACATION aborted by List-Archive header.");
                }

                /* Is there a Precedence keyword of "junk | bulk | list"? */
                if (libsieve_do_getheader(context, "precedence", &body) == SIEVE2_OK) {
                    /* Skip leading white-space */
                    while (body[0] && *body[0] && isspace((int) *body[0])) {
                        body[0]++;
                    }

                    /* We don't deal with comments, etc. here */
                    if (!strcasecmp(body[0], "junk") ||
                        !strcasecmp(body[0], "bulk") ||
                        !strcasecmp(body[0], "list")) {
                        l = SIEVE2_DONE;
                        TRACE_DEBUG("VACATION aborted by Precedence header.");
                    }
                }

                /* Note: the domain-part of all addresses are canonicalized */

                /* grab my address from the envelope */
                if (l == SIEVE2_OK) {
                    l = libsieve_do_getenvelope(context, "to", body);
                    if (body[0]) {
                        libsieve_parse_address(body[0], &data, &marker);
                        tmp = libsieve_get_address(context, ADDRESS_ALL, &marker, 1);
                        myaddr = (tmp != NULL) ? libsieve_strdup(tmp) : NULL;
                        libsieve_free_address(&data, &marker);
                    }
                }
                if (l == SIEVE2_OK) {
                    l = libsieve_do_getenvelope(context, "from", body);
                }
                if (l == SIEVE2_OK && body[0]) {
                    /* we have to parse this address & decide whether we
                       want to respond to it */
                    libsieve_parse_address(body[0], &data, &marker);
                    tmp = libsieve_get_address(context, ADDRESS_ALL, &marker, 1);
                    reply_to = (tmp != NULL) ? libsieve_strdup(tmp) : NULL;
                    libsieve_free_address(&data, &marker);

                    /* first, is there a reply-to address? */
                    if (reply_to == NULL) {
                        TRACE_DEBUG("VACATION aborted by lack of reply-to address.");
                        l = SIEVE2_DONE;
                    }

                    /* first, is it from me? */
                    if (l == SIEVE2_OK && myaddr && !strcmp(myaddr, reply_to)) {
                        TRACE_DEBUG("VACATION aborted because the message is from my primary address.");
                        l = SIEVE2_DONE;
                    }

                    /* ok, is it any of the other addresses i've
                       specified? */
                    if (l == SIEVE2_OK) {
                        for (sl = v_addresses; sl != NULL; sl = sl->next) {
                            if (sl->s && !strcmp(sl->s, reply_to))
                                l = SIEVE2_DONE;
                        }
                    }

                    if (l == SIEVE2_DONE)
                        TRACE_DEBUG("VACATION aborted because the message is from a secondary address.");

                    /* authdeliver patch 0002: RFC 5230 section 4.5:
                     * :addresses are more addresses of the user, not a
                     * filter on the recipient (upstream 590333d made a
                     * vacation without :addresses never answer). */

                    /* ok, is it a system address? */
                    if (l == SIEVE2_OK && sysaddr(reply_to)) {
                        TRACE_DEBUG("VACATION aborted because the message is from a system address.");
                        l = SIEVE2_DONE;
                    }
                }

                if (l == SIEVE2_OK) {
                    /* OK, we're willing to respond to the sender. But is this
                     * message to me? That is, is my address in the TO, Cc, Bcc,
                     * Resent-To, Resent-Cc, or Resent-Bcc fields? But if the
                     * vacation action contains :from directive, then set the
                     * sender address accordingly */

                    if (v_from != NULL)
                       found = v_from;

                    if (!found && (libsieve_do_getheader(context, "to", &body) == SIEVE2_OK))
                       found = look_for_me(myaddr, v_addresses, body);
                    if (!found && (libsieve_do_getheader(context, "cc", &body) == SIEVE2_OK))
                       found = look_for_me(myaddr, v_addresses, body);
                    if (!found && (libsieve_do_getheader(context, "bcc", &body) == SIEVE2_OK))
                       found = look_for_me(myaddr, v_addresses, body);
                    if (!found && (libsieve_do_getheader(context, "Resent-To", &body) == SIEVE2_OK))
                       found = look_for_me(myaddr, v_addresses, body);
                    if (!found && (libsieve_do_getheader(context, "Resent-Cc", &body) == SIEVE2_OK))
                       found = look_for_me(myaddr, v_addresses, body);
                    if (!found && (libsieve_do_getheader(context, "Resent-Bcc", &body) == SIEVE2_OK))
                       found = look_for_me(myaddr, v_addresses, body);

                    if (!found) {
                        TRACE_DEBUG("Vacation didn't find my address in To, Cc, Bcc, Resent-To, Resent-Cc or Resent-Bcc.");
                        l = SIEVE2_DONE;
                    }
                }

                if (l == SIEVE2_OK) {
                    /* ok, ok, if we got here maybe we should reply */
                    char buf[128];

                    if (c->u.v.subject == NULL) {
                        /* we have to generate a subject */
                        char **s;

                        if (libsieve_do_getheader(context, "subject", &s) != SIEVE2_OK ||
                            s[0] == NULL) {
                            strcpy(buf, "Automated reply");
                        } else {
                            /* s[0] contains the original subject */
                            snprintf(buf, sizeof(buf), "Auto: %s", (const char*)s[0]);
                        }
                    } else {
                        /* user specified subject */
                        strncpy(buf, v_subject, sizeof(buf)-1);
                        buf[sizeof(buf)-1] = '\0';
                    }

                    /* calculate hash from subject, from, mime and reason, RFC 5230, Section 4.2 */
                    char *handle_mem = NULL;
                    if (v_handle == NULL) {
                        int j = 0;
                        if (v_subject) j += strlen(v_subject);
                        if (v_from) j+= strlen(v_from);
                        /* Add 16: 3 for the separators between the items,
                         * the mime value and the terminating '\0' */
                        j += strlen(v_message) + 16;
                        v_handle = handle_mem = libsieve_malloc(j);
                        snprintf(v_handle, j, "%s:%s:%s:%i",
                            v_subject ? v_subject : "",
                            v_from ? v_from : "",
                            v_message,
                            c->u.v.mime);
                    }

                    /* who do we want the message coming from? */
                    fromaddr = found;

                    res = libsieve_do_vacation(context, reply_to,
                                      fromaddr, buf,
                                      v_message, v_handle,
                                      c->u.v.days, c->u.v.mime, c->u.v.seconds);
                    libsieve_free(handle_mem);

                     if (res == SIEVE2_ERROR_EXEC)
                         *errmsg = "Vacation can not be used with Reject or Vacation";

                } else {
                    if (l != SIEVE2_DONE) res = -1; /* something went wrong */
                }
		libsieve_free(reply_to);
                libsieve_free(myaddr);
                break;
            }
        case STOP:
            res = 1;
            break;
        case RETURN:
            res = SV_RETURN;	/* authdeliver 0008: ends this script only */
            break;
        case GLOBAL:
            for (sl = XL(c->u.sl); sl != NULL; sl = sl->next)
                libsieve_var_global(context, sl->s);
            break;
        case INCLUDE:
            res = static_include(context, c, errmsg);
            break;
        case DISCARD:
            res = libsieve_do_discard(context);
            TRACE_DEBUG("Doing a discard");
            break;
        case SET:
            /* authdeliver 0004: RFC 5229 section 4 */
            libsieve_var_set(context, c->u.set.name, X(c->u.set.value), c->u.set.mods);
            break;
        case SETFLAG:
            sl = XL(c->u.sl);
            libsieve_free_sl_only(context->slflags);
            context->slflags = libsieve_new_sl(sl->s, context->slflags);
            TRACE_DEBUG("Doing a setflag");
            break;
        case ADDFLAG:
            for (sl = XL(c->u.sl); sl != NULL; sl = sl->next) {
                stringlist_t *csl;
                int found = 0;
                for (csl = context->slflags; csl != NULL; csl = csl->next) {
                    if (strcasecmp(csl->s, sl->s) == 0) {
                        found = 1;
                        break;
                    }
                }
                if (!found) {
                    context->slflags = libsieve_new_sl(sl->s, context->slflags);
                    TRACE_DEBUG("Added flag: [%s]", sl->s);
                }
                TRACE_DEBUG("Doing an addflag: [%s]", sl->s);
            }
            break;
        case REMOVEFLAG:
            for (sl = XL(c->u.sl); sl != NULL; sl = sl->next) {
                stringlist_t *csl, *prev = NULL;
                for (csl = context->slflags; csl != NULL; csl = csl->next) {
                    if (strcasecmp(csl->s, sl->s) == 0) {
                        if (prev) {
                            prev->next = csl->next;
                            csl->next = NULL;
                            libsieve_free_sl_only(csl);
                        } else {
                            libsieve_free_sl_only(context->slflags);
                            context->slflags = NULL;
                        }
                        TRACE_DEBUG("Removed flag: [%s]", sl->s);
                        break; // Once we find a flag we can stop looking.
                    }
                    prev = csl; // Previous item in the list.
                }
                TRACE_DEBUG("Doing a removeflag [%s]", sl->s);
            }
            break;
        case ADDHEADER:
        case DELETEHEADER:
            res = static_editheader(context, c);
            break;
        case NOTIFY:
            /* authdeliver 0010: RFC 5435 notify, :from as "id",
             * :importance as "priority" */
            res = libsieve_do_notify(context, X(c->u.n.id), X(c->u.n.method),
                            XL(c->u.n.options), X(c->u.n.priority), X(c->u.n.message));
            TRACE_DEBUG("Doing a notify");
            break;
        }

        if (res) /* we've either encountered an error or a stop */
            break;

        /* execute next command */
        c = c->next;
    }

    return res;
}

/* vim: set ex ts=4: */

