/* client.c - who connected to our MTA, from trusted data only.
 *
 * Takes XFORWARD attributes (when the caller says the LMTP peer is
 * trusted), the message's Received headers and the envelope sender.
 * Returns the client IP, HELO, rDNS name and queue id as one of OUR MTAs
 * recorded them, or CLIENT_NONE with a reason.  It never guesses: a
 * Received header that does not parse, a chain whose top header was not
 * written by a trusted MTA, or an ambiguous from clause gives CLIENT_NONE.
 * Received headers below the first hop from outside are never read (they
 * were written by the sender).
 *
 * Parsed formats (RFC 5321 §4.4 Stamp plus each MTA's comment layout):
 *   Postfix   from HELO (RDNS [IP]) by MX (Postfix) with ESMTPS id QID
 *             from HELO (unknown [IPv6:2001:db8::1]:port) ...
 *   Exim      from RDNS ([IP]:port helo=HELO) by MX with esmtp (Exim 4.96)
 *             from [IP] (helo=HELO) by MX ...
 *   Sendmail  from HELO (RDNS [IP] (may be forged)) (authenticated bits=0)
 *             by MX (8.17.1/8.17.1) with ESMTPSA id QID
 *   other     from unknown (HELO h) ([IP]) by MX ...
 */
#include "client.h"
#include "conf.h"
#include "msg.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define RCVD_MAX_LEN	4096	/* longest Received value we parse */
#define RCVD_MAX_DEPTH	4	/* comment nesting: "(using TLS (256/256 bits))" */
#define RCVD_MAX_TOKENS	128

enum tok_kind { T_ATOM, T_COMMENT, T_ANGLE };

struct tok {
	enum tok_kind kind;
	const char *s;		/* ATOM: the atom; COMMENT: inside the parens */
	size_t len;
};

/* Copy len bytes into a fixed buffer; -1 if it does not fit. */
static int put(char *dst, size_t dstsz, const char *s, size_t len)
{
	if (len >= dstsz)
		return -1;
	memcpy(dst, s, len);
	dst[len] = 0;
	return 0;
}

static bool tok_is(const struct tok *t, const char *word)
{
	return t->kind == T_ATOM && strlen(word) == t->len && !strncasecmp(t->s, word, t->len);
}

/* Split s[0..len) into atoms, comments (balanced, quoted-pair aware) and
 * <angle-addrs>.  Returns the token count or -1 with *err. */
static int tokenize(const char *s, size_t len, struct tok *tk, int max, int max_depth,
		    const char **err)
{
	int n = 0;
	size_t i = 0;
	while (i < len) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == ' ' || ch == '\t') {
			i++;
			continue;
		}
		if (ch < 0x20 || ch == 0x7f) {
			*err = "control character";
			return -1;
		}
		if (n >= max) {
			*err = "too many tokens";
			return -1;
		}
		if (ch == '(') {
			int depth = 1;
			size_t start = ++i;
			while (i < len && depth > 0) {
				if (s[i] == '\\' && i + 1 < len)
					i++;
				else if (s[i] == '(' && ++depth > max_depth) {
					*err = "comments nested too deeply";
					return -1;
				} else if (s[i] == ')')
					depth--;
				else if ((unsigned char)s[i] < 0x20 && s[i] != '\t') {
					*err = "control character";
					return -1;
				}
				i++;
			}
			if (depth) {
				*err = "unbalanced parenthesis";
				return -1;
			}
			tk[n++] = (struct tok){ T_COMMENT, s + start, i - 1 - start };
		} else if (ch == ')') {
			*err = "unbalanced parenthesis";
			return -1;
		} else if (ch == '<') {
			size_t start = i;
			while (i < len && s[i] != '>')
				i++;
			if (i >= len) {
				*err = "unterminated <address>";
				return -1;
			}
			i++;
			tk[n++] = (struct tok){ T_ANGLE, s + start, i - start };
		} else {
			size_t start = i;
			bool quoted = false;
			while (i < len) {
				char c = s[i];
				if (c == '"')
					quoted = !quoted;
				else if (c == '\\' && quoted && i + 1 < len)
					i++;
				else if (!quoted && (c == ' ' || c == '\t' || c == '(' || c == ')' || c == '<'))
					break;
				i++;
			}
			tk[n++] = (struct tok){ T_ATOM, s + start, i - start };
		}
	}
	return n;
}

/* "[192.0.2.1]", "[IPv6:2001:db8::1]", optionally ":port" after the
 * bracket (Postfix, Exim).  Writes the bare address; 0 or -1. */
static int parse_literal(const char *s, size_t len, char ip[64])
{
	if (len < 3 || s[0] != '[')
		return -1;
	const char *close = memchr(s, ']', len);
	if (!close)
		return -1;
	size_t rest = len - (size_t)(close + 1 - s);
	if (rest) {			/* ":port" */
		if (close[1] != ':' || rest < 2 || rest > 6)
			return -1;
		for (size_t k = 2; k <= rest; k++)
			if (!isdigit((unsigned char)close[k]))
				return -1;
	}
	const char *a = s + 1;
	size_t alen = (size_t)(close - a);
	if (alen > 5 && !strncasecmp(a, "IPv6:", 5)) {	/* RFC 5321 §4.1.3 */
		a += 5;
		alen -= 5;
	}
	char buf[64];
	unsigned char bin[16];
	if (put(buf, sizeof(buf), a, alen) < 0)
		return -1;
	if (inet_pton(AF_INET, buf, bin) == 1 || inet_pton(AF_INET6, buf, bin) == 1) {
		memcpy(ip, buf, alen + 1);
		return 0;
	}
	return -1;
}

/* A host name as an MTA writes it (HELO may be anything; we keep printable
 * US-ASCII and 8-bit bytes as they are, the SPF HELO check validates). */
static int put_name(char *dst, size_t dstsz, const char *s, size_t len)
{
	return put(dst, dstsz, s, len);
}

static bool is_auth_with(const char *w)
{
	/* RFC 3848: ESMTPA, ESMTPSA, LMTPA, LMTPSA; RFC 6531: UTF8SMTPA... */
	size_t l = strlen(w);
	static const char *const suf[] = { "SMTPA", "SMTPSA", "LMTPA", "LMTPSA" };
	for (size_t i = 0; i < sizeof(suf) / sizeof(suf[0]); i++) {
		size_t sl = strlen(suf[i]);
		if (l >= sl && !strcasecmp(w + l - sl, suf[i]))
			return true;
	}
	return false;
}

/* The comment that carries the client address, e.g. "rdns [ip]",
 * "unknown [ip]:port", "[ip] helo=h ident=u", "user@rdns [ip] (may be
 * forged)", "[ip]".  Fills ip, rdns (may stay ""), helo (helo= form). */
static int parse_ip_comment(const struct tok *c, struct received *r, bool *has_ip,
			    bool *exim_style, const char **err)
{
	struct tok tk[16];
	int n = tokenize(c->s, c->len, tk, 16, RCVD_MAX_DEPTH, err);
	if (n < 0)
		return -1;
	int lit = -1;
	for (int i = 0; i < n; i++)
		if (tk[i].kind == T_ATOM && tk[i].s[0] == '[') {
			if (lit >= 0) {
				*err = "two address literals in one comment";
				return -1;
			}
			lit = i;
		}
	if (lit < 0) {
		*has_ip = false;
		/* Exim "(helo=name ident=user)" after "from [IP]" */
		bool exim_kv = n > 0;
		for (int i = 0; i < n; i++)
			if (tk[i].kind != T_ATOM || (strncasecmp(tk[i].s, "helo=", 5) &&
						     strncasecmp(tk[i].s, "ident=", 6)))
				exim_kv = false;
		for (int i = 0; exim_kv && i < n; i++)
			if (!strncasecmp(tk[i].s, "helo=", 5) &&
			    put_name(r->from_helo, sizeof(r->from_helo), tk[i].s + 5, tk[i].len - 5) < 0) {
				*err = "HELO too long";
				return -1;
			}
		if (exim_kv)
			return 0;
		/* "(HELO name)" as some MTAs write it */
		if (n == 2 && tok_is(&tk[0], "HELO") && tk[1].kind == T_ATOM)
			return put_name(r->from_helo, sizeof(r->from_helo), tk[1].s, tk[1].len) < 0 ?
				(*err = "HELO too long", -1) : 0;
		/* Anything else before the address came from the client (a
		 * HELO argument with spaces and parentheses): refuse. */
		*err = "unexpected comment before the client address";
		return -1;
	}
	*has_ip = true;
	if (parse_literal(tk[lit].s, tk[lit].len, r->ip) < 0) {
		*err = "bad address literal";
		return -1;
	}
	if (lit > 1) {
		*err = "unexpected words before the address";
		return -1;
	}
	if (lit == 1) {			/* Postfix/Sendmail: RDNS [IP] */
		if (tk[0].kind != T_ATOM) {
			*err = "unexpected token before the address";
			return -1;
		}
		const char *h = tk[0].s;
		size_t hl = tk[0].len;
		const char *at = memchr(h, '@', hl);	/* Sendmail ident@host */
		if (at) {
			hl -= (size_t)(at + 1 - h);
			h = at + 1;
		}
		if (!(hl == 7 && !strncasecmp(h, "unknown", 7)) &&
		    put_name(r->from_rdns, sizeof(r->from_rdns), h, hl) < 0) {
			*err = "rDNS name too long";
			return -1;
		}
	}
	for (int i = lit + 1; i < n; i++) {
		if (tk[i].kind == T_COMMENT)	/* "(may be forged)" */
			continue;
		if (tk[i].kind == T_ATOM && tk[i].len > 5 && !strncasecmp(tk[i].s, "helo=", 5)) {
			if (put_name(r->from_helo, sizeof(r->from_helo), tk[i].s + 5, tk[i].len - 5) < 0) {
				*err = "HELO too long";
				return -1;
			}
			*exim_style = true;	/* "([IP] helo=h)": Exim */
			continue;
		}
		if (tk[i].kind == T_ATOM && tk[i].len > 6 && !strncasecmp(tk[i].s, "ident=", 6))
			continue;
		*err = "unexpected words after the address";
		return -1;
	}
	return 0;
}

int client_parse_received(const char *value, struct received *r)
{
	memset(r, 0, sizeof(*r));
	r->error = "unparseable";
	size_t len = strlen(value);
	if (len > RCVD_MAX_LEN) {
		r->error = "Received header too long";
		return -1;
	}
	/* RFC 5322 §3.6.7: tokens ";" date-time.  The date has no ';', a
	 * hostile HELO may; so cut at the last ';' outside comments. */
	size_t cut = len;
	int depth = 0;
	for (size_t i = 0; i < len; i++) {
		if (value[i] == '\\' && i + 1 < len)
			i++;
		else if (value[i] == '(')
			depth++;
		else if (value[i] == ')' && depth > 0)
			depth--;
		else if (value[i] == ';' && depth == 0)
			cut = i;
	}
	struct tok tk[RCVD_MAX_TOKENS];
	const char *err = NULL;
	int n = tokenize(value, cut, tk, RCVD_MAX_TOKENS, RCVD_MAX_DEPTH, &err);
	if (n < 0) {
		r->error = err;
		return -1;
	}
	int i = 0;
	bool have_from = false, exim = false, exim_style = false;
	char from_word[256] = "", lit_ip[64] = "";
	if (i < n && tok_is(&tk[i], "from")) {
		have_from = true;
		i++;
		if (i >= n || tk[i].kind != T_ATOM) {
			r->error = "from without a name";
			return -1;
		}
		if (put_name(from_word, sizeof(from_word), tk[i].s, tk[i].len) < 0) {
			r->error = "from name too long";
			return -1;
		}
		/* "from [IP] (helo=h)" is Exim without rDNS; "from [IP] (rdns
		 * [IP])" is Postfix/Sendmail with an address-literal HELO. */
		if (tk[i].s[0] == '[' && parse_literal(tk[i].s, tk[i].len, lit_ip) < 0) {
			r->error = "bad address literal";
			return -1;
		}
		i++;
		/* Comments up to "by": at most one carries an address; the ones
		 * after it were written by our MTA (TLS, authentication). */
		bool seen_ip = false;
		for (; i < n && tk[i].kind == T_COMMENT; i++) {
			if (seen_ip) {
				if (memchr(tk[i].s, '[', tk[i].len) &&
				    strncasecmp(tk[i].s, "using ", 6)) {
					r->error = "two client addresses";
					return -1;
				}
				/* Sendmail "(authenticated bits=0)", Postfix
				 * "(Authenticated sender: u)" */
				if (tk[i].len >= 13 && !strncasecmp(tk[i].s, "authenticated", 13))
					r->auth = true;
				continue;
			}
			bool has_ip = false;
			if (parse_ip_comment(&tk[i], r, &has_ip, &exim_style, &err) < 0) {
				r->error = err;
				return -1;
			}
			seen_ip = has_ip;
		}
		if (!seen_ip && lit_ip[0]) {
			memcpy(r->ip, lit_ip, sizeof(r->ip));
			seen_ip = true;
			from_word[0] = 0;	/* an address, not a name */
		}
		if (!seen_ip) {
			r->error = "no client address literal";
			return -1;
		}
	}
	/* Clauses after the from part: by, via, with, id, for, and
	 * extensions (RFC 5321 §4.4 Additional-Registered-Clauses, e.g.
	 * Exim's "tls CIPHER"), each at most once. */
	bool seen_by = false, seen_with = false, seen_id = false, seen_for = false;
	while (i < n) {
		struct tok *k = &tk[i];
		if (k->kind == T_COMMENT) {
			if (k->len >= 5 && !strncasecmp(k->s, "Exim ", 5))
				exim = true;
			if (seen_by && k->len >= 13 && !strncasecmp(k->s, "authenticated", 13))
				r->auth = true;
			i++;
			continue;
		}
		if (k->kind != T_ATOM) {
			if (seen_for) {		/* "for <a@b> <c@d>" */
				i++;
				continue;
			}
			r->error = "unexpected address";
			return -1;
		}
		if (tok_is(k, "from")) {
			r->error = "from clause not first";
			return -1;
		}
		bool *seen = tok_is(k, "by") ? &seen_by : tok_is(k, "with") ? &seen_with :
			tok_is(k, "id") ? &seen_id : tok_is(k, "for") ? &seen_for : NULL;
		if (seen && *seen) {
			r->error = "duplicate clause";
			return -1;
		}
		if (!seen_by && !tok_is(k, "by")) {
			r->error = "no by clause after from";
			return -1;
		}
		if (i + 1 >= n) {
			if (tok_is(k, "for") || !seen) {
				i++;
				continue;
			}
			r->error = "clause without a value";
			return -1;
		}
		struct tok *v = &tk[i + 1];
		if (seen)
			*seen = true;
		if (tok_is(k, "by")) {
			if (v->kind != T_ATOM || put_name(r->by, sizeof(r->by), v->s, v->len) < 0) {
				r->error = "bad by clause";
				return -1;
			}
		} else if (tok_is(k, "with")) {
			if (v->kind != T_ATOM || put(r->with, sizeof(r->with), v->s, v->len) < 0) {
				r->error = "bad with clause";
				return -1;
			}
			if (is_auth_with(r->with))
				r->auth = true;
		} else if (tok_is(k, "id")) {
			if (v->kind != T_ATOM || put(r->id, sizeof(r->id), v->s, v->len) < 0) {
				r->error = "bad id clause";
				return -1;
			}
		} else if (tok_is(k, "for")) {
			/* value may be <addr> or addr; consumed below */
		} else if (v->kind == T_COMMENT) {
			i++;		/* keyword with no value then a comment */
			continue;
		}
		i += 2;
	}
	if (!seen_by) {
		r->error = "no by clause";
		return -1;
	}
	/* Who is who in "from WORD (...)": Exim writes the rDNS name there
	 * (and helo= only when it differs), the others the HELO name. */
	if (have_from && from_word[0]) {
		if (exim || exim_style) {
			if (put_name(r->from_rdns, sizeof(r->from_rdns), from_word, strlen(from_word)) < 0)
				return -1;
			if (!r->from_helo[0])
				memcpy(r->from_helo, from_word, strlen(from_word) + 1);
		} else if (!r->from_helo[0]) {
			memcpy(r->from_helo, from_word, strlen(from_word) + 1);
		} else if (!r->from_rdns[0] && strcasecmp(from_word, "unknown")) {
			/* "from RDNS (HELO h) ([IP])" */
			memcpy(r->from_rdns, from_word, strlen(from_word) + 1);
		}
	}
	r->error = NULL;
	return 0;
}

/* ---- addresses ---- */

bool client_ip_in(const struct conf_list *list, const char *ip)
{
	unsigned char a[16], net[16];
	int fam;
	if (!list || !ip)
		return false;
	if (inet_pton(AF_INET, ip, a) == 1)
		fam = AF_INET;
	else if (inet_pton(AF_INET6, ip, a) == 1) {
		fam = AF_INET6;
		/* RFC 4291 §2.5.5.2: ::ffff:a.b.c.d matches IPv4 networks */
		static const unsigned char mapped[12] = { 0,0,0,0,0,0,0,0,0,0,0xff,0xff };
		if (!memcmp(a, mapped, 12)) {
			memmove(a, a + 12, 4);
			fam = AF_INET;
		}
	} else
		return false;
	for (size_t i = 0; i < list->n; i++) {
		char buf[64];
		const char *e = list->v[i], *slash = strchr(e, '/');
		size_t alen = slash ? (size_t)(slash - e) : strlen(e);
		if (put(buf, sizeof(buf), e, alen) < 0)
			continue;
		int efam = inet_pton(AF_INET, buf, net) == 1 ? AF_INET :
			inet_pton(AF_INET6, buf, net) == 1 ? AF_INET6 : 0;
		if (efam != fam)
			continue;	/* other family, or "unix" */
		int maxbits = fam == AF_INET ? 32 : 128, bits = maxbits;
		if (slash) {
			char *end;
			long b = strtol(slash + 1, &end, 10);
			if (*end || end == slash + 1 || b < 0 || b > maxbits)
				continue;
			bits = (int)b;
		}
		int full = bits / 8, rem = bits % 8;
		if (memcmp(a, net, (size_t)full))
			continue;
		if (rem && ((a[full] ^ net[full]) & (0xff << (8 - rem)) & 0xff))
			continue;
		return true;
	}
	return false;
}

/* ---- client_find ---- */

static bool mta_trusted(const struct conf *c, const char *top_by, const char *by)
{
	size_t bl = strlen(by);
	if (bl && by[bl - 1] == '.')
		bl--;
	if (!c->trusted_mtas.n) {
		/* No list: the MTA that wrote the top header is ours (it
		 * handed the message to us), and only that one. */
		size_t tl = strlen(top_by);
		if (tl && top_by[tl - 1] == '.')
			tl--;
		return bl && tl == bl && !strncasecmp(top_by, by, bl);
	}
	for (size_t i = 0; i < c->trusted_mtas.n; i++) {
		const char *t = c->trusted_mtas.v[i];
		size_t tl = strlen(t);
		if (tl && t[tl - 1] == '.')
			tl--;
		if (bl && tl == bl && !strncasecmp(t, by, bl))
			return true;
	}
	return false;
}

static void set_xf(char *dst, size_t dstsz, const char *v)
{
	/* XFORWARD_README: [UNAVAILABLE] / [TEMPUNAVAIL] mean "not known" */
	if (!v || !strcasecmp(v, "[UNAVAILABLE]") || !strcasecmp(v, "[TEMPUNAVAIL]"))
		v = "";
	snprintf(dst, dstsz, "%s", v);
}

static void from_xforward(struct client *cl, const struct conf *c, const struct xforward *xf)
{
	const char *addr = xf->addr;
	if (!strcasecmp(addr, "[UNAVAILABLE]") || !strcasecmp(addr, "[TEMPUNAVAIL]")) {
		snprintf(cl->reason, sizeof(cl->reason), "XFORWARD ADDR=%s", addr);
		return;
	}
	if (!strncasecmp(addr, "IPv6:", 5))
		addr += 5;
	unsigned char bin[16];
	if (inet_pton(AF_INET, addr, bin) != 1 && inet_pton(AF_INET6, addr, bin) != 1) {
		snprintf(cl->reason, sizeof(cl->reason), "XFORWARD ADDR is not an address");
		return;
	}
	cl->source = CLIENT_XFORWARD;
	snprintf(cl->ip, sizeof(cl->ip), "%s", addr);
	set_xf(cl->helo, sizeof(cl->helo), xf->helo);
	set_xf(cl->rdns, sizeof(cl->rdns), xf->name);
	set_xf(cl->queue_id, sizeof(cl->queue_id), xf->ident);
	char login[256];
	set_xf(login, sizeof(login), xf->login);
	cl->authenticated = login[0] != 0;
	cl->internal = client_ip_in(&c->internal_networks, cl->ip);
	snprintf(cl->reason, sizeof(cl->reason), "XFORWARD from a trusted peer");
}

static void take_hop(struct client *cl, const struct conf *c, const struct received *r,
		     const char *how)
{
	cl->source = CLIENT_RECEIVED;
	memcpy(cl->ip, r->ip, sizeof(cl->ip));
	memcpy(cl->helo, r->from_helo, sizeof(cl->helo));
	memcpy(cl->rdns, r->from_rdns, sizeof(cl->rdns));
	memcpy(cl->by, r->by, sizeof(cl->by));
	memcpy(cl->queue_id, r->id, sizeof(cl->queue_id));
	cl->authenticated = r->auth;
	cl->internal = client_ip_in(&c->internal_networks, cl->ip);
	snprintf(cl->reason, sizeof(cl->reason), "%s Received header by %.100s", how, r->by);
}

void client_find(struct client *cl, const struct conf *c, const struct msg *m,
		 const struct xforward *xf, const char *mail_from)
{
	memset(cl, 0, sizeof(*cl));
	if (mail_from) {
		size_t l = strlen(mail_from);
		if (l >= 2 && mail_from[0] == '<' && mail_from[l - 1] == '>') {
			mail_from++;
			l -= 2;
		}
		if (l < sizeof(cl->mail_from))
			memcpy(cl->mail_from, mail_from, l);
	}
	if (xf && xf->any && xf->addr[0]) {
		from_xforward(cl, c, xf);
		return;
	}
	if (!m) {
		snprintf(cl->reason, sizeof(cl->reason), "no message");
		return;
	}
	size_t idx = msg_hdr_find(m, "Received", 0);
	if (idx == MSG_NOT_FOUND) {
		snprintf(cl->reason, sizeof(cl->reason), "no Received header");
		return;
	}
	struct received cur, next, top;
	char *v = msg_hdr_value(m, idx);
	int rc = v ? client_parse_received(v, &cur) : -1;
	free(v);
	if (rc < 0) {
		snprintf(cl->reason, sizeof(cl->reason), "top Received header unparseable: %s",
			 v ? cur.error : "out of memory");
		return;
	}
	top = cur;
	if (!mta_trusted(c, top.by, cur.by)) {
		snprintf(cl->reason, sizeof(cl->reason),
			 "top Received header by %.100s, not a trusted MTA", cur.by);
		return;
	}
	long walked = 1;
	for (;;) {
		if (!cur.ip[0]) {
			snprintf(cl->reason, sizeof(cl->reason),
				 "submitted locally on %.100s, no client address", cur.by);
			return;
		}
		if (!client_ip_in(&c->internal_networks, cur.ip)) {
			take_hop(cl, c, &cur, "first external hop in");
			return;
		}
		/* An internal hop: go down only if the next header was also
		 * written by one of our MTAs; else the internal host is the
		 * client. */
		if (walked >= c->received_max) {
			snprintf(cl->reason, sizeof(cl->reason),
				 "more than received_max=%ld Received headers", c->received_max);
			return;
		}
		size_t nidx = msg_hdr_find(m, "Received", idx + 1);
		if (nidx == MSG_NOT_FOUND) {
			take_hop(cl, c, &cur, "internal client in");
			return;
		}
		v = msg_hdr_value(m, nidx);
		rc = v ? client_parse_received(v, &next) : -1;
		free(v);
		walked++;
		if (rc < 0 || !mta_trusted(c, top.by, next.by)) {
			take_hop(cl, c, &cur, "internal client in");
			return;
		}
		cur = next;
		idx = nidx;
	}
}
