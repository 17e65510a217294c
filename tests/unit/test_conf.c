/* test_conf.c - configuration parsing: defaults, errors name file:line:key. */
#include "conf.h"
#include "t.h"

int main(void)
{
	const char *err = NULL;
	struct conf *c = conf_parse_string("", "empty", &err);
	T_OK(c != NULL, "empty config parses");
	T_INT(c->spf_max_dns_mechs, 10, "default spf_max_dns_mechs");
	T_INT(c->arc_max_instances, 50, "default arc_max_instances");
	T_STR(c->junk_folder, "Junk", "default junk_folder");
	T_OK(c->authserv_id && *c->authserv_id, "authserv_id defaults to hostname");
	conf_free(c);

	c = conf_parse_string("# comment\n  message_size_limit = 10M\nlmtp_listen = 127.0.0.1:2424, unix:/tmp/x\n"
			      "maildir_fsync = no\ndns_mode = forward\n", "t", &err);
	T_OK(c != NULL, "valid config parses");
	T_INT(c->message_size_limit, 10 * 1048576, "size suffix M");
	T_INT(c->lmtp_listen.n, 2, "list of two");
	T_STR(c->lmtp_listen.v[1], "unix:/tmp/x", "list element");
	T_INT(c->maildir_fsync, 0, "bool no");
	T_INT(c->dns_mode, CONF_DNS_FORWARD, "enum value");
	conf_free(c);

	/* '#' after a blank starts a comment everywhere (authdeliver.conf(5)) */
	c = conf_parse_string("authserv_id = mx.example.org        # the name in A-R\n"
			      "trusted_mtas = a.example b.example\t# our MTAs\n"
			      "junk_folder = Spam#2\n"
			      "sieve_user =    # none\n", "t", &err);
	T_OK(c != NULL, "config with trailing comments parses");
	T_STR(c ? c->authserv_id : "", "mx.example.org", "trailing comment dropped from a string");
	T_INT(c ? c->trusted_mtas.n : 0, 2, "trailing comment dropped from a list");
	T_STR(c ? c->junk_folder : "", "Spam#2", "'#' inside a word kept");
	T_STR(c ? c->sieve_user : "x", "", "value of only a comment is empty");
	conf_free(c);

	/* safe defaults: XFORWARD from nobody, sockets 0660, no metrics */
	c = conf_parse_string("", "empty", &err);
	T_INT(c->xforward_trusted.n, 0, "xforward_trusted empty by default");
	T_STR(c->lmtp_socket_mode, "0660", "lmtp_socket_mode 0660 by default");
	T_STR(c->metrics_listen, "", "metrics_listen off by default");
	conf_free(c);

	static const struct { const char *text, *want; } bad[] = {
		{ "metrics_listen = 0.0.0.0:9425\n", "f: metrics_listen: expected unix:/path or a loopback "
		  "address with a port (127.0.0.1:9425, [::1]:9425)" },
		{ "lmtp_socket_mode = rw\n", "f: lmtp_socket_mode: expected an octal mode such as 0660" },
		{ "nosuchkey = 1\n", "f:1: nosuchkey: unknown key" },
		{ "\n\nmessage_size_limit = abc\n", "f:3: message_size_limit: not a number" },
		{ "maildir_fsync = maybe\n", "f:1: maildir_fsync: expected yes or no" },
		{ "just words\n", "f:1: expected \"key = value\"" },
		{ "spf_max_dns_mechs = 0\n", "f:1: spf_max_dns_mechs: 0 out of range 1..100" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = conf_parse_string(bad[i].text, "f", &err);
		T_OK(c == NULL, "bad config %zu rejected", i);
		T_STR(c ? "" : err, bad[i].want, "error names file:line:key");
		conf_free(c);
	}
	T_DONE();
}
