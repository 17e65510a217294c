/* variables.c - authdeliver patch 0004: RFC 5229 variables.
 * See variables.h for the limits. */
#include <ctype.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "context2.h"
#include "callbacks2.h"
#include "util.h"
#include "variables.h"

struct sv_cap libsieve_caps[SV_MAX_MATCH];
int libsieve_ncaps;
const char *libsieve_cap_text;

struct sv_block { struct sv_block *next; char data[]; };

struct sv_vars {
    int n;
    /* scope: the include depth that owns the variable, -1 for the global
     * ones (RFC 6609 section 3.3); decl: a "global" declaration of the
     * name in that scope, not a value */
    struct { char name[SV_MAX_NAME + 1]; char *value; int scope, decl; } v[SV_MAX_VARS];
    int depth;
    char *match[SV_MAX_MATCH];
    struct sv_block *blocks;
    size_t used;
    int overflow;
    regex_t *re[SV_MAX_RUNTIME_RE];	/* 0012: compiled at run time */
    int nre;
};

int libsieve_variable_name_ok(const char *name)
{
    /* RFC 5229 section 3: identifier = (ALPHA / "_") *(ALPHA / DIGIT / "_") */
    size_t i;
    if (!name || !(isalpha((unsigned char)name[0]) || name[0] == '_'))
        return 0;
    for (i = 0; name[i]; i++)
        if (!(isalnum((unsigned char)name[i]) || name[i] == '_') || i >= SV_MAX_NAME)
            return 0;
    return 1;
}

static struct sv_vars *vars(struct sieve2_context *c)
{
    if (!c->vars)
        c->vars = calloc(1, sizeof(struct sv_vars));
    return c->vars;
}

static char *arena(struct sieve2_context *c, size_t n)
{
    struct sv_vars *v = vars(c);
    if (!v)
        return NULL;
    if (v->used + n > SV_VAR_ARENA) {
        if (!v->overflow)
            libsieve_do_error_exec(c, "variables: more than 4 MB of expanded strings");
        v->overflow = 1;
        c->exec_errors++;
        return NULL;
    }
    struct sv_block *b = malloc(sizeof(*b) + n);
    if (!b)
        return NULL;
    b->next = v->blocks;
    v->blocks = b;
    v->used += n;
    return b->data;
}

void libsieve_vars_free(struct sieve2_context *c)
{
    struct sv_vars *v = c->vars;
    if (!v)
        return;
    while (v->nre > 0)
        libsieve_regfree(v->re[--v->nre]);	/* the regex_t is in a block */
    while (v->blocks) {
        struct sv_block *b = v->blocks;
        v->blocks = b->next;
        free(b);
    }
    free(v);
    c->vars = NULL;
}

void libsieve_vars_reset(struct sieve2_context *c)
{
    libsieve_vars_free(c);
}

static const char *lookup(struct sv_vars *v, const char *name, size_t len)
{
    int i;
    if (isdigit((unsigned char)name[0])) {
        /* match variable: ${0}..${9}, leading zeros allowed */
        size_t k = 0;
        for (i = 0; (size_t)i < len; i++)
            k = k * 10 + (size_t)(name[i] - '0');
        if (k < SV_MAX_MATCH && v->match[k])
            return v->match[k];
        return "";
    }
    int scope = v->depth;
    for (i = 0; i < v->n; i++)
        if (v->v[i].decl && v->v[i].scope == v->depth && strlen(v->v[i].name) == len &&
            !strncasecmp(v->v[i].name, name, len))
            scope = -1;
    for (i = 0; i < v->n; i++)
        if (!v->v[i].decl && v->v[i].scope == scope && strlen(v->v[i].name) == len &&
            !strncasecmp(v->v[i].name, name, len))
            return v->v[i].value;
    return "";	/* RFC 5229 section 3: unknown variables are empty */
}

/* Is s[0..] a variable reference "${name}"?  Returns the length of the
 * name and sets *end past "}", else 0. */
static size_t reference(const char *s, const char **end)
{
    size_t i = 2;
    if (s[0] != '$' || s[1] != '{')
        return 0;
    if (isdigit((unsigned char)s[2])) {
        while (isdigit((unsigned char)s[i])) i++;
    } else if (isalpha((unsigned char)s[2]) || s[2] == '_') {
        while (isalnum((unsigned char)s[i]) || s[i] == '_') i++;
    } else {
        return 0;	/* e.g. ${a.b} (namespaces): kept literally */
    }
    if (s[i] != '}' || i - 2 > SV_MAX_NAME)
        return 0;
    *end = s + i + 1;
    return i - 2;
}

char *libsieve_expand(struct sieve2_context *c, char *s)
{
    if (!s || !c->require.variables || !strstr(s, "${"))
        return s;
    struct sv_vars *v = vars(c);
    if (!v)
        return s;
    /* first pass: length; second: copy (no re-expansion of values) */
    size_t n = 0;
    const char *p, *e;
    for (p = s; *p; ) {
        size_t l = reference(p, &e);
        if (l) { n += strlen(lookup(v, p + 2, l)); p = e; }
        else { n++; p++; }
    }
    char *out = arena(c, n + 1);
    if (!out)
        return "";
    char *o = out;
    for (p = s; *p; ) {
        size_t l = reference(p, &e);
        if (l) {
            const char *val = lookup(v, p + 2, l);
            size_t vl = strlen(val);
            memcpy(o, val, vl); o += vl; p = e;
        } else {
            *o++ = *p++;
        }
    }
    *o = 0;
    return out;
}

stringlist_t *libsieve_expand_sl(struct sieve2_context *c, stringlist_t *sl)
{
    stringlist_t *s, *head = NULL, **tail = &head;
    if (!c->require.variables)
        return sl;
    for (s = sl; s; s = s->next)
        if (strstr(s->s, "${"))
            break;
    if (!s)
        return sl;
    for (s = sl; s; s = s->next) {
        stringlist_t *n = (stringlist_t *)arena(c, sizeof(stringlist_t));
        if (!n)
            return sl;
        n->s = libsieve_expand(c, s->s);
        n->next = NULL;
        *tail = n;
        tail = &n->next;
    }
    return head;
}

patternlist_t *libsieve_expand_pl(struct sieve2_context *c, patternlist_t *pl)
{
    patternlist_t *p, *head = NULL, **tail = &head;
    for (p = pl; p; p = p->next)
        if (p->src)
            break;
    if (!p)
        return pl;
    struct sv_vars *v = vars(c);
    if (!v)
        return NULL;
    for (p = pl; p; p = p->next) {
        void *re = p->p;
        if (p->src) {
            char *key = libsieve_expand(c, p->src);
            char err[100];
            int rc;
            re = NULL;
            if (v->nre >= SV_MAX_RUNTIME_RE) {
                libsieve_do_error_exec(c, "regex: more than 256 keys with variables compiled");
                c->exec_errors++;
                return head;
            }
            regex_t *r = (regex_t *)arena(c, sizeof(regex_t));
            if (!r)
                return head;
            if ((rc = libsieve_regcomp(r, key, p->cflags)) != 0) {
                libsieve_regerror(rc, r, err, sizeof(err));
                char msg[200];
                snprintf(msg, sizeof(msg), "regex: %s", err);
                libsieve_do_error_exec(c, msg);
                c->exec_errors++;
                continue;
            }
            v->re[v->nre++] = r;
            re = r;
        }
        patternlist_t *n = (patternlist_t *)arena(c, sizeof(patternlist_t));
        if (!n)
            return head;
        n->p = re;
        n->src = NULL;
        n->cflags = 0;
        n->next = NULL;
        *tail = n;
        tail = &n->next;
    }
    return head;
}

/* RFC 5229 section 4.1: modifiers by precedence, highest first:
 * 40 :lower :upper, 30 :lowerfirst :upperfirst, 20 :quotewildcard,
 * 10 :length. */
static char *modify(struct sieve2_context *c, const char *in, int mods)
{
    size_t n = strlen(in);
    char *s = arena(c, 2 * n + 24);
    size_t i, o = 0;
    if (!s)
        return NULL;
    memcpy(s, in, n + 1);
    if (mods & (SV_MOD_LOWER | SV_MOD_UPPER))
        for (i = 0; i < n; i++)
            s[i] = (mods & SV_MOD_LOWER) ? tolower((unsigned char)s[i]) : toupper((unsigned char)s[i]);
    if (n && (mods & SV_MOD_LOWERFIRST))
        s[0] = tolower((unsigned char)s[0]);
    if (n && (mods & SV_MOD_UPPERFIRST))
        s[0] = toupper((unsigned char)s[0]);
    if (mods & SV_MOD_QUOTEWILDCARD) {
        char *q = s + n + 1;	/* room for 2n+23 more bytes: copy behind */
        memcpy(q, s, n + 1);
        for (i = 0; i < n; i++) {
            if (q[i] == '*' || q[i] == '?' || q[i] == '\\')
                s[o++] = '\\';
            s[o++] = q[i];
        }
        s[o] = 0;
        n = o;
    }
    if (mods & SV_MOD_LENGTH) {
        /* characters, not octets: count UTF-8 lead bytes */
        size_t chars = 0;
        for (i = 0; i < n; i++)
            if (((unsigned char)s[i] & 0xc0) != 0x80)
                chars++;
        snprintf(s, 24, "%zu", chars);
    }
    return s;
}

void libsieve_var_set(struct sieve2_context *c, const char *name,
		      const char *value, int mods)
{
    struct sv_vars *v = vars(c);
    int i;
    if (!v)
        return;
    char *val = modify(c, value, mods);
    if (!val)
        return;
    if (strlen(val) > SV_MAX_VALUE) {
        /* cut at a character boundary */
        size_t l = SV_MAX_VALUE;
        while (l > 0 && ((unsigned char)val[l] & 0xc0) == 0x80) l--;
        val[l] = 0;
    }
    int scope = v->depth;
    for (i = 0; i < v->n; i++)
        if (v->v[i].decl && v->v[i].scope == v->depth && !strcasecmp(v->v[i].name, name))
            scope = -1;
    for (i = 0; i < v->n; i++)
        if (!v->v[i].decl && v->v[i].scope == scope && !strcasecmp(v->v[i].name, name)) {
            v->v[i].value = val;
            return;
        }
    if (v->n >= SV_MAX_VARS) {
        libsieve_do_error_exec(c, "variables: more than 128 variables");
        c->exec_errors++;
        return;
    }
    snprintf(v->v[v->n].name, sizeof(v->v[v->n].name), "%s", name);
    v->v[v->n].value = val;
    v->v[v->n].scope = scope;
    v->v[v->n].decl = 0;
    v->n++;
}

/* authdeliver 0008: RFC 6609 section 3.3 "global": the name refers to the
 * variable shared by all scripts from here on in this script. */
void libsieve_var_global(struct sieve2_context *c, const char *name)
{
    struct sv_vars *v = vars(c);
    int i;
    if (!v)
        return;
    for (i = 0; i < v->n; i++)
        if (v->v[i].decl && v->v[i].scope == v->depth && !strcasecmp(v->v[i].name, name))
            return;
    if (v->n >= SV_MAX_VARS) {
        libsieve_do_error_exec(c, "variables: more than 128 variables");
        c->exec_errors++;
        return;
    }
    snprintf(v->v[v->n].name, sizeof(v->v[v->n].name), "%s", name);
    v->v[v->n].value = NULL;
    v->v[v->n].scope = v->depth;
    v->v[v->n].decl = 1;
    v->n++;
}

/* An included script gets a scope of its own; its variables (not the
 * global ones) are gone when it ends. */
void libsieve_vars_push(struct sieve2_context *c)
{
    struct sv_vars *v = vars(c);
    if (v)
        v->depth++;
}

void libsieve_vars_pop(struct sieve2_context *c)
{
    struct sv_vars *v = vars(c);
    int i, o = 0;
    if (!v)
        return;
    for (i = 0; i < v->n; i++)
        if (v->v[i].scope != v->depth)
            v->v[o++] = v->v[i];
    v->n = o;
    v->depth--;
}

void libsieve_vars_set_matches(struct sieve2_context *c)
{
    struct sv_vars *v;
    int i;
    if (!c->require.variables || !libsieve_cap_text || !(v = vars(c)))
        return;
    for (i = 0; i < SV_MAX_MATCH; i++) {
        v->match[i] = NULL;
        if (i < libsieve_ncaps && libsieve_caps[i].off >= 0) {
            size_t l = (size_t)libsieve_caps[i].len;
            if (l > SV_MAX_VALUE)
                l = SV_MAX_VALUE;
            char *m = arena(c, l + 1);
            if (!m)
                return;
            memcpy(m, libsieve_cap_text + libsieve_caps[i].off, l);
            m[l] = 0;
            v->match[i] = m;
        }
    }
}
