/* test_client.c - Received parsing of Postfix, Exim and Sendmail formats
 * (real-looking and hostile), the trusted-chain walk, XFORWARD, CIDRs. */
#include "client.h"
#include "conf.h"
#include "msg.h"
#include "t.h"

#include <stdlib.h>

static const struct {
	const char *name, *value;
	int rc;
	const char *ip, *helo, *rdns, *by, *id;
	int auth;
} rcvd[] = {
	{ "postfix basic",
	  "from mail-ej1-f45.google.com (mail-ej1-f45.google.com [209.85.218.45])\t"
	  "by mx.our.example (Postfix) with ESMTPS id 4ABCD12XYZ\tfor <u@our.example>; "
	  "Mon, 23 Nov 2026 10:00:00 +0000 (UTC)",
	  0, "209.85.218.45", "mail-ej1-f45.google.com", "mail-ej1-f45.google.com",
	  "mx.our.example", "4ABCD12XYZ", 0 },
	{ "postfix unknown rdns, TLS comments",
	  "from helo.example (unknown [192.0.2.1])\t(using TLSv1.3 with cipher "
	  "TLS_AES_256_GCM_SHA384 (256/256 bits)\t key-exchange X25519 server-signature RSA-PSS "
	  "(2048 bits) server-digest SHA256)\t(No client certificate requested)\t"
	  "by mx.our.example (Postfix) with ESMTPS id 4Xy7Zk0Qb3z9tKv\tfor <u@our.example>; "
	  "Mon, 23 Nov 2026 10:00:00 +0100 (CET)",
	  0, "192.0.2.1", "helo.example", "", "mx.our.example", "4Xy7Zk0Qb3z9tKv", 0 },
	{ "postfix IPv6 with port",
	  "from [IPv6:2001:db8::25] (host.example [IPv6:2001:db8::25]:41234) "
	  "by mx.our.example (Postfix) with ESMTP id 1234ABC; Mon, 23 Nov 2026 10:00:00 +0000",
	  0, "2001:db8::25", "[IPv6:2001:db8::25]", "host.example", "mx.our.example", "1234ABC", 0 },
	{ "postfix authenticated submission",
	  "from [192.168.1.20] (dsl.example.net [198.51.100.7])\t(Authenticated sender: alice)\t"
	  "by smtp.our.example (Postfix) with ESMTPSA id 9F00A1; Mon, 23 Nov 2026 10:00:00 +0000",
	  0, "198.51.100.7", "[192.168.1.20]", "dsl.example.net", "smtp.our.example", "9F00A1", 1 },
	{ "postfix local pickup (no from)",
	  "by mx.our.example (Postfix, from userid 1000)\tid 4ABC; Mon, 23 Nov 2026 10:00:00 +0000",
	  0, "", "", "", "mx.our.example", "4ABC", 0 },
	{ "other: from unknown (HELO h) ([ip])",
	  "from unknown (HELO h.example) ([192.0.2.1]) by mx.our.example with SMTP; Mon, 23 Nov 2026",
	  0, "192.0.2.1", "h.example", "", "mx.our.example", "", 0 },
	{ "exim rdns with helo",
	  "from mail.sender.example ([192.0.2.55] helo=smtp.sender.example)\tby mx.our.example "
	  "with esmtps  (TLS1.3) tls TLS_AES_256_GCM_SHA384\t(Exim 4.96)\t(envelope-from "
	  "<a@sender.example>)\tid 1kXyZa-000123-AB\tfor u@our.example; Mon, 23 Nov 2026 10:00:00 +0000",
	  0, "192.0.2.55", "smtp.sender.example", "mail.sender.example", "mx.our.example",
	  "1kXyZa-000123-AB", 0 },
	{ "exim no rdns",
	  "from [192.0.2.56] (helo=weird)\tby mx.our.example with esmtp (Exim 4.96)\t"
	  "(envelope-from <b@x.example>)\tid 1kXyZb-000124-CD; Mon, 23 Nov 2026 10:00:00 +0000",
	  0, "192.0.2.56", "weird", "", "mx.our.example", "1kXyZb-000124-CD", 0 },
	{ "exim no rdns, ident",
	  "from [192.0.2.58]:40000 (helo=h58.example ident=joe)\tby mx.our.example with esmtp "
	  "(Exim 4.96)\tid 1kXyZe-000125-EF; Mon, 23 Nov 2026 10:00:00 +0000",
	  0, "192.0.2.58", "h58.example", "", "mx.our.example", "1kXyZe-000125-EF", 0 },
	{ "exim rdns, ident after helo",
	  "from r.example ([192.0.2.59] helo=h59 ident=joe) by mx.our.example with esmtp "
	  "(Exim 4.96) id 1kXyZf-000126-GH; Mon, 23 Nov 2026 10:00:00 +0000",
	  0, "192.0.2.59", "h59", "r.example", "mx.our.example", "1kXyZf-000126-GH", 0 },
	{ "exim helo equals rdns, port",
	  "from mail.sender.example ([192.0.2.57]:52100)\tby mx.our.example with esmtpsa "
	  "(TLS1.2) tls TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (Exim 4.94.2)\t(envelope-from "
	  "<c@sender.example>)\tid 1kXyZc-0001Xa-QQ; Mon, 23 Nov 2026 10:00:00 +0000",
	  0, "192.0.2.57", "mail.sender.example", "mail.sender.example", "mx.our.example",
	  "1kXyZc-0001Xa-QQ", 1 },
	{ "exim IPv6",
	  "from v6.sender.example ([2001:db8:1::5] helo=v6.sender.example) by mx.our.example "
	  "with esmtp (Exim 4.96) id 1kXyZd-000001-AA; Mon, 23 Nov 2026 10:00:00 +0000",
	  0, "2001:db8:1::5", "v6.sender.example", "v6.sender.example", "mx.our.example",
	  "1kXyZd-000001-AA", 0 },
	{ "sendmail",
	  "from helo.sender.example (rdns.sender.example [192.0.2.70])\tby mx.our.example "
	  "(8.17.1/8.17.1) with ESMTP id 3AN9x1Yt012345\tfor <u@our.example>; "
	  "Mon, 23 Nov 2026 10:00:00 GMT",
	  0, "192.0.2.70", "helo.sender.example", "rdns.sender.example", "mx.our.example",
	  "3AN9x1Yt012345", 0 },
	{ "sendmail may be forged",
	  "from claimed.example (real.example [192.0.2.71] (may be forged))\tby mx.our.example "
	  "(8.17.1/8.17.1) with ESMTPS id 3ANABC (version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 "
	  "bits=256 verify=NOT); Mon, 23 Nov 2026 10:00:00 GMT",
	  0, "192.0.2.71", "claimed.example", "real.example", "mx.our.example", "3ANABC", 0 },
	{ "sendmail ident, authenticated, IPv6",
	  "from laptop (user@dyn.example [IPv6:2001:db8::77])\t(authenticated bits=0)\t"
	  "by mx.our.example (8.17.1/8.17.1) with ESMTPSA id 3ANDEF; Mon, 23 Nov 2026 10:00:00 GMT",
	  0, "2001:db8::77", "laptop", "dyn.example", "mx.our.example", "3ANDEF", 1 },
	{ "sendmail no rdns",
	  "from h ([192.0.2.72]) by mx.our.example (8.17.1/8.17.1) with SMTP id 3ANX; "
	  "Mon, 23 Nov 2026 10:00:00 GMT",
	  0, "192.0.2.72", "h", "", "mx.our.example", "3ANX", 0 },
	/* hostile */
	{ "missing brackets", "from h (rdns 192.0.2.1) by mx.our.example with ESMTP id X; date",
	  -1, NULL, NULL, NULL, NULL, NULL, 0 },
	{ "no address at all", "from h (rdns) by mx.our.example with ESMTP id X; date",
	  -1, NULL, NULL, NULL, NULL, NULL, 0 },
	{ "bad literal", "from h (rdns [192.0.2.300]) by mx.our.example; date",
	  -1, NULL, NULL, NULL, NULL, NULL, 0 },
	{ "HELO carrying a forged hop (Postfix joins HELO words)",
	  "from x (y [6.6.6.6]) by mx.our.example (Postfix) with ESMTPSA id F (rdns.example "
	  "[203.0.113.5]) by mx.our.example (Postfix) with ESMTP id REAL; date",
	  -1, NULL, NULL, NULL, NULL, NULL, 0 },
	{ "HELO carrying a forged address comment",
	  "from x (y [6.6.6.6]) (rdns.example [203.0.113.5]) by mx.our.example (Postfix) "
	  "with ESMTP id REAL; date",
	  -1, NULL, NULL, NULL, NULL, NULL, 0 },
	{ "HELO with a semicolon",
	  "from a;b (rdns.example [203.0.113.5]) by mx.our.example (Postfix) with ESMTP id R; "
	  "Mon, 23 Nov 2026 10:00:00 +0000",
	  0, "203.0.113.5", "a;b", "rdns.example", "mx.our.example", "R", 0 },
	{ "forged authenticated comment before the address",
	  "from x (authenticated bits=0) (rdns.example [203.0.113.5]) by mx.our.example "
	  "(8.17.1/8.17.1) with ESMTP id Q; date",
	  -1, NULL, NULL, NULL, NULL, NULL, 0 },
	{ "HELO with a comment",
	  "from x (foo) (rdns.example [203.0.113.5]) by mx.our.example (Postfix) with ESMTP id Q; date",
	  -1, NULL, NULL, NULL, NULL, NULL, 0 },
	{ "two literals in one comment", "from h (a [192.0.2.1] [192.0.2.2]) by mx; d",
	  -1, NULL, NULL, NULL, NULL, NULL, 0 },
	{ "unbalanced comment", "from h (rdns [192.0.2.1] by mx.our.example; date",
	  -1, NULL, NULL, NULL, NULL, NULL, 0 },
	{ "deep comments", "from h (rdns [192.0.2.1] (((((x)))))) by mx.our.example; date",
	  -1, NULL, NULL, NULL, NULL, NULL, 0 },
	{ "no by clause", "from h (rdns [192.0.2.1]) with ESMTP id X; date",
	  -1, NULL, NULL, NULL, NULL, NULL, 0 },
	{ "duplicate by", "from h (rdns [192.0.2.1]) by a.example by b.example; date",
	  -1, NULL, NULL, NULL, NULL, NULL, 0 },
	{ "control character", "from h (rdns [192.0.2.1])\x01 by mx.our.example; date",
	  -1, NULL, NULL, NULL, NULL, NULL, 0 },
	{ "8-bit junk in HELO",
	  "from \xff\xfe\xc0\xafjunk (rdns.example [198.51.100.9]) by mx.our.example (Postfix) "
	  "with ESMTP id J8; date",
	  0, "198.51.100.9", "\xff\xfe\xc0\xafjunk", "rdns.example", "mx.our.example", "J8", 0 },
	{ "8-bit junk in the address", "from h (rdns [192.0.2.\xff]) by mx.our.example; date",
	  -1, NULL, NULL, NULL, NULL, NULL, 0 },
	{ "empty", "", -1, NULL, NULL, NULL, NULL, NULL, 0 },
	{ "only from", "from", -1, NULL, NULL, NULL, NULL, NULL, 0 },
};

static void test_parse(void)
{
	for (size_t i = 0; i < sizeof(rcvd) / sizeof(rcvd[0]); i++) {
		struct received r;
		int rc = client_parse_received(rcvd[i].value, &r);
		char name[200];
		snprintf(name, sizeof(name), "%s: rc (%s)", rcvd[i].name, rc < 0 ? r.error : "ok");
		T_INT(rc, rcvd[i].rc, name);
		if (rc < 0 || rcvd[i].rc < 0) {
			T_OK(rc < 0 ? r.error != NULL : 1, "%s: error set", rcvd[i].name);
			continue;
		}
		snprintf(name, sizeof(name), "%s: ip", rcvd[i].name);
		T_STR(r.ip, rcvd[i].ip, name);
		snprintf(name, sizeof(name), "%s: helo", rcvd[i].name);
		T_STR(r.from_helo, rcvd[i].helo, name);
		snprintf(name, sizeof(name), "%s: rdns", rcvd[i].name);
		T_STR(r.from_rdns, rcvd[i].rdns, name);
		snprintf(name, sizeof(name), "%s: by", rcvd[i].name);
		T_STR(r.by, rcvd[i].by, name);
		snprintf(name, sizeof(name), "%s: id", rcvd[i].name);
		T_STR(r.id, rcvd[i].id, name);
		snprintf(name, sizeof(name), "%s: auth", rcvd[i].name);
		T_INT(r.auth, rcvd[i].auth, name);
	}
	/* 10 kB header: refused, not truncated into a guess */
	char *big = malloc(10240 + 200);
	strcpy(big, "from h (rdns.example [192.0.2.1]) by mx.our.example (Postfix) with ESMTP id X (");
	size_t l = strlen(big);
	memset(big + l, 'A', 10240);
	strcpy(big + l + 10240, "); date");
	struct received r;
	T_INT(client_parse_received(big, &r), -1, "10 kB Received header refused");
	T_STR(r.error ? r.error : "", "Received header too long", "10 kB reason");
	free(big);
}

/* Build a message from LF text. */
static struct msg *mkmsg(const char *text)
{
	static struct msg m;
	size_t len;
	char *crlf = msg_lf_to_crlf(text, strlen(text), &len);
	const char *err;
	if (!crlf || msg_init(&m, crlf, len, 1000, &err) < 0) {
		printf("not ok - msg_init failed\n");
		exit(1);
	}
	return &m;
}

static const char *const src_name[] = { "none", "xforward", "received" };

static void test_find(void)
{
	const char *err;
	struct conf *c = conf_parse_string(
		"trusted_mtas = mx.our.example, relay.our.example\n"
		"internal_networks = 10.0.0.0/8, 127.0.0.0/8, ::1/128, 2001:db8:ffff::/48\n",
		"t", &err);
	struct client cl;
	struct msg *m;

	static const char hdr_rest[] = "From: a@b.example\nSubject: x\n\nbody\n";
	char text[8192];

	/* 1: direct external hop, forged Received below ours is ignored */
	snprintf(text, sizeof(text),
		 "Received: from mail.sender.example (mail.sender.example [192.0.2.10])\n"
		 "\tby mx.our.example (Postfix) with ESMTPS id 4QID1\n\tfor <u@our.example>; Mon, 23 Nov 2026 10:00:00 +0000\n"
		 "Received: from forged (forged.example [6.6.6.6]) by mx.our.example (Postfix) with ESMTPSA id FAKE; date\n"
		 "Received: from x ([10.1.1.1]) by relay.our.example; date\n%s", hdr_rest);
	m = mkmsg(text);
	client_find(&cl, c, m, NULL, "<a@b.example>");
	T_STR(src_name[cl.source], "received", "external hop: source");
	T_STR(cl.ip, "192.0.2.10", "external hop: ip");
	T_STR(cl.helo, "mail.sender.example", "external hop: helo");
	T_STR(cl.queue_id, "4QID1", "external hop: queue id");
	T_STR(cl.mail_from, "a@b.example", "mail_from without <>");
	T_INT(cl.authenticated, 0, "forged ESMTPSA below is not used");
	T_INT(cl.internal, 0, "external hop not internal");
	msg_clear(m);

	/* 2: content filter re-injection and an internal relay are skipped */
	snprintf(text, sizeof(text),
		 "Received: from localhost (localhost [127.0.0.1]) by mx.our.example (Postfix) with ESMTP id 4AFTER; date\n"
		 "Received: from relay.our.example (relay.our.example [10.0.0.5]) by mx.our.example (Postfix) with ESMTP id 4QID2; date\n"
		 "Received: from sender.example ([2001:db8:5::1] helo=sender.example) by relay.our.example with esmtp (Exim 4.96) id 1abc-000123-AB; date\n"
		 "Received: from evil (evil [203.0.113.66]) by sender.example; date\n%s", hdr_rest);
	m = mkmsg(text);
	client_find(&cl, c, m, NULL, "");
	T_STR(cl.ip, "2001:db8:5::1", "internal hops skipped: ip");
	T_STR(cl.by, "relay.our.example", "internal hops skipped: by");
	T_STR(cl.queue_id, "1abc-000123-AB", "queue id of the MTA that recorded the hop");
	T_STR(cl.rdns, "sender.example", "exim rdns");
	msg_clear(m);

	/* 3: top header not by a trusted MTA (forged above ours) */
	snprintf(text, sizeof(text),
		 "Received: from x (y [192.0.2.1]) by attacker.example (Postfix) with ESMTP id 1; date\n"
		 "Received: from mail.sender.example (mail.sender.example [192.0.2.10]) by mx.our.example (Postfix) with ESMTP id 2; date\n%s",
		 hdr_rest);
	m = mkmsg(text);
	client_find(&cl, c, m, NULL, "a@b.example");
	T_STR(src_name[cl.source], "none", "untrusted top: none");
	T_OK(strstr(cl.reason, "not a trusted MTA") != NULL, "untrusted top: reason (%s)", cl.reason);
	T_STR(cl.ip, "", "untrusted top: no ip");
	msg_clear(m);

	/* 4: top header unparseable */
	snprintf(text, sizeof(text),
		 "Received: from x (y 192.0.2.1) by mx.our.example (Postfix) with ESMTP id 1; date\n%s", hdr_rest);
	m = mkmsg(text);
	client_find(&cl, c, m, NULL, "a@b.example");
	T_STR(src_name[cl.source], "none", "unparseable top: none");
	T_OK(strstr(cl.reason, "unparseable") != NULL, "unparseable top: reason (%s)", cl.reason);
	msg_clear(m);

	/* 5: internal client (next header by someone else) */
	snprintf(text, sizeof(text),
		 "Received: from ws1 (ws1.lan [10.9.9.9]) by mx.our.example (Postfix) with ESMTPSA id 4INT; date\n"
		 "Received: from x (y [192.0.2.1]) by ws1.lan; date\n%s", hdr_rest);
	m = mkmsg(text);
	client_find(&cl, c, m, NULL, "a@our.example");
	T_STR(cl.ip, "10.9.9.9", "internal client: ip");
	T_INT(cl.internal, 1, "internal client: internal");
	T_INT(cl.authenticated, 1, "internal client: authenticated (ESMTPSA)");
	msg_clear(m);

	/* 6: no Received at all; local submission */
	m = mkmsg("From: a@b\n\nx\n");
	client_find(&cl, c, m, NULL, "a@b");
	T_OK(cl.source == CLIENT_NONE && strstr(cl.reason, "no Received"), "no Received: none (%s)", cl.reason);
	msg_clear(m);
	snprintf(text, sizeof(text),
		 "Received: by mx.our.example (Postfix, from userid 1000) id 4LOC; date\n%s", hdr_rest);
	m = mkmsg(text);
	client_find(&cl, c, m, NULL, "a@b");
	T_OK(cl.source == CLIENT_NONE && strstr(cl.reason, "locally"), "local submission: none (%s)", cl.reason);
	msg_clear(m);

	/* 7: XFORWARD takes precedence over Received */
	snprintf(text, sizeof(text),
		 "Received: from mail.sender.example (mail.sender.example [192.0.2.10]) by mx.our.example (Postfix) with ESMTP id 2; date\n%s",
		 hdr_rest);
	m = mkmsg(text);
	struct xforward xf = { .any = true };
	strcpy(xf.addr, "IPv6:2001:DB8::99");
	strcpy(xf.helo, "xf.example");
	strcpy(xf.name, "[UNAVAILABLE]");
	strcpy(xf.ident, "4XFQ");
	client_find(&cl, c, m, &xf, "a@b.example");
	T_STR(src_name[cl.source], "xforward", "xforward: source");
	T_STR(cl.ip, "2001:DB8::99", "xforward: IPv6: prefix stripped");
	T_STR(cl.rdns, "", "xforward: [UNAVAILABLE] name is empty");
	T_STR(cl.queue_id, "4XFQ", "xforward: IDENT is the queue id");
	T_STR(cl.helo, "xf.example", "xforward: helo");
	strcpy(xf.addr, "[TEMPUNAVAIL]");
	client_find(&cl, c, m, &xf, "a@b.example");
	T_OK(cl.source == CLIENT_NONE && strstr(cl.reason, "TEMPUNAVAIL"), "xforward tempunavail: none (%s)", cl.reason);
	strcpy(xf.addr, "not-an-ip");
	client_find(&cl, c, m, &xf, "a@b.example");
	T_STR(src_name[cl.source], "none", "xforward garbage address: none");
	client_find(&cl, c, m, NULL, "a@b.example");
	T_STR(src_name[cl.source], "received", "xf NULL (untrusted peer): Received used");
	msg_clear(m);
	conf_free(c);

	/* 8: empty trusted_mtas: the top header's by host is ours, only it */
	c = conf_parse_string("internal_networks = 10.0.0.0/8\n", "t", &err);
	snprintf(text, sizeof(text),
		 "Received: from gw (gw [10.0.0.1]) by MX.Our.Example (Postfix) with ESMTP id 1; date\n"
		 "Received: from a (b [192.0.2.1]) by mx.our.example. (Postfix) with ESMTP id 2; date\n"
		 "Received: from c (d [192.0.2.2]) by other.example; date\n%s", hdr_rest);
	m = mkmsg(text);
	client_find(&cl, c, m, NULL, "a@b.example");
	T_STR(cl.ip, "192.0.2.1", "empty trusted_mtas: same by host, case and dot insensitive");
	msg_clear(m);
	snprintf(text, sizeof(text),
		 "Received: from gw (gw [10.0.0.1]) by mx.our.example (Postfix) with ESMTP id 1; date\n"
		 "Received: from c (d [192.0.2.2]) by other.example; date\n%s", hdr_rest);
	m = mkmsg(text);
	client_find(&cl, c, m, NULL, "a@b.example");
	T_STR(cl.ip, "10.0.0.1", "empty trusted_mtas: other by host not trusted");
	T_INT(cl.internal, 1, "empty trusted_mtas: internal");
	msg_clear(m);

	/* 9: received_max bounds the walk */
	conf_free(c);
	c = conf_parse_string("trusted_mtas = mx.our.example\ninternal_networks = 10.0.0.0/8\nreceived_max = 3\n", "t", &err);
	size_t o = 0;
	for (int i = 0; i < 10; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o,
			"Received: from r%d (r%d [10.0.0.%d]) by mx.our.example (Postfix) with ESMTP id %d; date\n",
			i, i, i + 1, i);
	snprintf(text + o, sizeof(text) - o, "%s", hdr_rest);
	m = mkmsg(text);
	client_find(&cl, c, m, NULL, "a@b.example");
	T_OK(cl.source == CLIENT_NONE && strstr(cl.reason, "received_max"), "received_max: none (%s)", cl.reason);
	msg_clear(m);
	conf_free(c);
}

static void test_cidr(void)
{
	char *v[] = { "192.0.2.0/24", "10.0.0.0/8", "2001:db8::/32", "unix", "198.51.100.7", "bad/99",
		      "172.16.0.0/12" };
	struct conf_list l = { sizeof(v) / sizeof(v[0]), v };
	static const struct { const char *ip; int in; } cases[] = {
		{ "192.0.2.1", 1 }, { "192.0.3.1", 0 }, { "10.255.0.1", 1 }, { "11.0.0.1", 0 },
		{ "2001:db8:1::1", 1 }, { "2001:db9::1", 0 }, { "198.51.100.7", 1 },
		{ "198.51.100.8", 0 }, { "::ffff:192.0.2.9", 1 }, { "172.31.255.255", 1 },
		{ "172.32.0.0", 0 }, { "garbage", 0 }, { "", 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		T_INT(client_ip_in(&l, cases[i].ip), cases[i].in, cases[i].ip);
}

int main(void)
{
	test_parse();
	test_find();
	test_cidr();
	T_DONE();
}
