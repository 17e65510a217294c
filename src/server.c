/* server.c - `authdeliver lmtp`: the master process.
 *
 * Process model (see doc/design.md): a master that listens and accepts,
 * and one forked child per connection that runs the whole session, as
 * OpenSMTPD/Postfix separate the listener from the workers.  A child is
 * single-threaded, so a session waiting on disk or DNS never stalls the
 * others, libsieve (not reentrant) needs no locks, privileges can be
 * switched per recipient, and a crash loses one session, never a message
 * (the MTA keeps it until it gets a 250).  Children share the master's
 * pages copy-on-write, so an idle session costs little memory.
 *
 * SIGTERM: stop listening, let every child finish its transaction (each
 * then replies 421 and exits), exit when all are gone.  SIGHUP: re-read the
 * configuration; new sessions use it, sessions in progress keep theirs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "client.h"
#include "cmd.h"
#include "conf.h"
#include "deliver.h"
#include "lmtp.h"
#include "log.h"

#define MAX_LISTEN 16

struct listener {
	int fd;
	bool is_unix;
	char name[256];
};

static volatile sig_atomic_t got_term, got_hup, got_chld;
static volatile sig_atomic_t child_stop;

static void on_signal(int sig)
{
	if (sig == SIGTERM || sig == SIGINT)
		got_term = 1;
	else if (sig == SIGHUP)
		got_hup = 1;
	else if (sig == SIGCHLD)
		got_chld = 1;
}

static void on_child_term(int sig)
{
	(void)sig;
	child_stop = 1;
}

static void set_handler(int sig, void (*fn)(int))
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: poll() must see EINTR */
	sigaction(sig, &sa, NULL);
}

static int listen_one(const char *spec, struct listener *l, const char **err)
{
	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "%s", spec);
	if (!strncmp(spec, "unix:", 5)) {
		struct sockaddr_un sun;
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		if (strlen(spec + 5) >= sizeof(sun.sun_path)) {
			*err = "socket path too long";
			return -1;
		}
		strcpy(sun.sun_path, spec + 5);
		l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (l->fd < 0) {
			*err = strerror(errno);
			return -1;
		}
		struct stat st;
		if (lstat(sun.sun_path, &st) == 0 && S_ISSOCK(st.st_mode))
			unlink(sun.sun_path);	/* stale socket of an earlier run */
		if (bind(l->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
		    chmod(sun.sun_path, (mode_t)strtol(conf->lmtp_socket_mode, NULL, 8)) < 0 ||
		    listen(l->fd, 512) < 0) {
			*err = strerror(errno);
			close(l->fd);
			return -1;
		}
		l->is_unix = true;
		return 0;
	}
	/* host:port, [v6]:port */
	char host[256], port[32];
	const char *colon;
	if (spec[0] == '[') {
		const char *rb = strchr(spec, ']');
		if (!rb || rb[1] != ':' || (size_t)(rb - spec - 1) >= sizeof(host)) {
			*err = "expected [address]:port";
			return -1;
		}
		memcpy(host, spec + 1, (size_t)(rb - spec - 1));
		host[rb - spec - 1] = 0;
		colon = rb + 1;
	} else {
		colon = strrchr(spec, ':');
		if (!colon || (size_t)(colon - spec) >= sizeof(host)) {
			*err = "expected address:port";
			return -1;
		}
		memcpy(host, spec, (size_t)(colon - spec));
		host[colon - spec] = 0;
	}
	snprintf(port, sizeof(port), "%s", colon + 1);
	/* "*:port" (or ":port"): one dual-stack IPv6 socket with V6ONLY off
	 * takes IPv4 (as ::ffff:a.b.c.d, which peer_of() maps back) and IPv6;
	 * on a host without IPv6, IPv4 only.  A named address: that family
	 * only (an IPv6 address with V6ONLY, so that "0.0.0.0:24" and
	 * "[::]:24" can both be listed). */
	bool wild = !*host || !strcmp(host, "*");
	for (int attempt = 0; attempt < 2; attempt++) {
		struct addrinfo hints = { .ai_flags = AI_PASSIVE | AI_NUMERICSERV, .ai_socktype = SOCK_STREAM }, *ai;
		if (wild)
			hints.ai_family = attempt == 0 ? AF_INET6 : AF_INET;
		int gr = getaddrinfo(wild ? NULL : host, port, &hints, &ai);
		if (gr) {
			if (wild && attempt == 0)
				continue;
			*err = gai_strerror(gr);
			return -1;
		}
		l->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (l->fd < 0 && wild && attempt == 0 && errno == EAFNOSUPPORT) {
			freeaddrinfo(ai);
			continue;
		}
		int one = 1, v6only = wild ? 0 : 1;
		if (l->fd < 0 || setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
		    (ai->ai_family == AF_INET6 &&
		     setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)) < 0) ||
		    bind(l->fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(l->fd, 512) < 0) {
			int e = errno;
			if (l->fd >= 0)
				close(l->fd);
			freeaddrinfo(ai);
			if (wild && attempt == 0 && e == EADDRNOTAVAIL)
				continue;	/* IPv6 disabled on this host */
			*err = strerror(e);
			return -1;
		}
		freeaddrinfo(ai);
		return 0;
	}
	*err = "no address family to listen on";
	return -1;
}

static void peer_of(int fd, const struct listener *l, struct lmtp_peer *p)
{
	memset(p, 0, sizeof(*p));
	const struct conf *c = conf;
	if (l->is_unix) {
		strcpy(p->addr, "unix");
		for (size_t i = 0; i < c->xforward_trusted.n; i++)
			if (!strcmp(c->xforward_trusted.v[i], "unix"))
				p->xforward_ok = true;
		return;
	}
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) < 0) {
		strcpy(p->addr, "unknown");
		return;
	}
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, p->addr, sizeof(p->addr));
	else if (ss.ss_family == AF_INET6) {
		struct in6_addr *a6 = &((struct sockaddr_in6 *)&ss)->sin6_addr;
		if (IN6_IS_ADDR_V4MAPPED(a6))
			inet_ntop(AF_INET, &a6->s6_addr[12], p->addr, sizeof(p->addr));
		else
			inet_ntop(AF_INET6, a6, p->addr, sizeof(p->addr));
	}
	p->xforward_ok = client_ip_in(&c->xforward_trusted, p->addr);
}

static void serve_child(int fd, const struct listener *l, struct listener *ls, size_t nl,
			const char *dns_zone)
{
	for (size_t i = 0; i < nl; i++)
		close(ls[i].fd);
	set_handler(SIGTERM, on_child_term);
	signal(SIGHUP, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	struct lmtp_peer peer;
	peer_of(fd, l, &peer);
	struct deliver_ctx ctx = { .dns_zone = dns_zone };
	lmtp_session(fd, &peer, &ctx, &child_stop);
	deliver_ctx_clear(&ctx);
	close(fd);
	_exit(0);
}

/* The embedded demo configuration: loopback only, every recipient of the
 * example domains gets a Maildir under dir. */
static const struct conf *demo_conf(const char *dir)
{
	static const char *const domains[] = { "example.org", "example.com", "example.net" };
	char map[4096], text[8192];
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		log_fatal(EX_CANTCREAT, "cannot create %s: %s", dir, strerror(errno));
	char *abs = realpath(dir, NULL);
	if (!abs)
		log_fatal(EX_CANTCREAT, "%s: %s", dir, strerror(errno));
	snprintf(map, sizeof(map), "%s/mailboxes", abs);
	FILE *fp = fopen(map, "w");
	if (!fp)
		log_fatal(EX_CANTCREAT, "cannot write %s: %s", map, strerror(errno));
	for (size_t i = 0; i < sizeof(domains) / sizeof(domains[0]); i++)
		fprintf(fp, "@%s  %s/%s/%%u/Maildir/\n", domains[i], abs, domains[i]);
	if (fclose(fp) != 0)
		log_fatal(EX_CANTCREAT, "cannot write %s", map);
	int n = snprintf(text, sizeof(text),
		"# built-in demo configuration (authdeliver lmtp --demo DIR)\n"
		"lmtp_listen = 127.0.0.1:2424\n"
		"user_lookup = virtual\n"
		"virtual_mailbox_map = %s\n"
		"authserv_id = demo.authdeliver.example\n"
		"log = stderr\n"
		"verdict_timeout = 5000\n"
		"dns_timeout = 2000\n", map);
	free(abs);
	if (n < 0 || (size_t)n >= sizeof(text))
		log_fatal(EX_SOFTWARE, "demo configuration too long");
	const char *err;
	struct conf *c = conf_parse_string(text, "(demo)", &err);
	if (!c)
		log_fatal(EX_CONFIG, "demo configuration: %s", err);
	conf_install(c);
	log_open(c);
	return c;
}

int cmd_lmtp(int argc, char **argv)
{
	const char *file = NULL, *dns_zone = NULL, *demo = NULL;
	static const struct option opts[] = {
		{ "dns-zone", required_argument, NULL, 'z' },
		{ "demo", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': file = optarg; break;
		case 'z': dns_zone = optarg; break;
		case 'D': demo = optarg; break;
		default:
			fprintf(stderr, "usage: authdeliver lmtp [-c FILE | --demo DIR] [--dns-zone FILE]\n");
			return EX_USAGE;
		}
	}
	if (demo)
		demo_conf(demo);
	else
		cmd_load_conf(file);
	const struct conf *c = conf;

	struct listener ls[MAX_LISTEN];
	size_t nl = 0;
	for (size_t i = 0; i < c->lmtp_listen.n && nl < MAX_LISTEN; i++) {
		const char *err;
		if (listen_one(c->lmtp_listen.v[i], &ls[nl], &err) < 0) {
			log_error("cannot listen on %s: %s", c->lmtp_listen.v[i], err);
			return EX_OSERR;
		}
		log_info("listening on %s", ls[nl].name);
		nl++;
	}
	if (!nl) {
		log_error("lmtp_listen is empty");
		return EX_CONFIG;
	}
	set_handler(SIGTERM, on_signal);
	set_handler(SIGINT, on_signal);
	set_handler(SIGHUP, on_signal);
	set_handler(SIGCHLD, on_signal);
	signal(SIGPIPE, SIG_IGN);

	long children = 0;
	size_t npids = 0, pids_cap = 0;
	pid_t *pids = NULL;	/* our sessions, for SIGTERM */
	struct pollfd pfd[MAX_LISTEN];
	for (size_t i = 0; i < nl; i++)
		pfd[i] = (struct pollfd){ ls[i].fd, POLLIN, 0 };
	while (!got_term) {
		if (got_chld) {
			got_chld = 0;
			int st;
			pid_t p;
			while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
				children--;
				for (size_t k = 0; k < npids; k++)
					if (pids[k] == p) {
						pids[k] = pids[--npids];
						break;
					}
				if (WIFSIGNALED(st))
					log_error("session process %ld killed by signal %d", (long)p, WTERMSIG(st));
			}
		}
		if (got_hup) {
			got_hup = 0;
			const char *err;
			struct conf *nc = demo ? NULL : conf_parse(file, &err);
			if (demo)
				err = "the demo configuration cannot be reloaded";
			if (!nc) {
				log_error("reload failed, keeping the old configuration: %s", err);
			} else {
				conf_install(nc);	/* frees the old one */
				log_open(nc);
				c = nc;
				log_info("configuration reloaded from %s (listen addresses need a restart)",
					 nc->path);
			}
		}
		int pr = poll(pfd, nl, -1);
		if (pr < 0)
			continue;	/* EINTR from a signal */
		for (size_t i = 0; i < nl; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			int fd = accept4(ls[i].fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd < 0)
				continue;
			if (children >= c->lmtp_max_connections) {
				static const char busy[] = "421 4.3.2 Too many connections, try again later\r\n";
				if (write(fd, busy, sizeof(busy) - 1) < 0) {
					/* nothing to do: the client retries */
				}
				log_warn("connection refused: %ld sessions (lmtp_max_connections)", children);
				close(fd);
				continue;
			}
			if (npids == pids_cap) {
				size_t cap = pids_cap ? pids_cap * 2 : 64;
				pid_t *np = realloc(pids, cap * sizeof(*np));
				if (!np) {
					close(fd);
					continue;
				}
				pids = np;
				pids_cap = cap;
			}
			pid_t pid = fork();
			if (pid == 0)
				serve_child(fd, &ls[i], ls, nl, dns_zone);
			if (pid < 0) {
				static const char busy[] = "421 4.3.2 Cannot fork, try again later\r\n";
				if (write(fd, busy, sizeof(busy) - 1) < 0) {
					/* the client retries */
				}
				log_error("fork: %s", strerror(errno));
			} else {
				children++;
				pids[npids++] = pid;
			}
			close(fd);
		}
	}
	log_info("SIGTERM: finishing %ld sessions", children);
	for (size_t i = 0; i < nl; i++) {
		close(ls[i].fd);
		if (ls[i].is_unix)
			unlink(ls[i].name + 5);
	}
	for (size_t k = 0; k < npids; k++)
		kill(pids[k], SIGTERM);	/* finish the transaction, then 421 */
	free(pids);
	while (children > 0) {
		int st;
		if (waitpid(-1, &st, 0) > 0)
			children--;
		else if (errno == ECHILD)
			break;
	}
	log_info("exiting");
	conf_shutdown();
	return 0;
}
