/* server.c - `authdeliver lmtp`: the master process.
 *
 * Process model (see doc/design.md): a master that listens and accepts,
 * and session processes that each run one whole session at a time, as
 * Postfix's and Dovecot's workers do.  A session process is
 * single-threaded (libunbound's one resolver thread aside), so a session
 * waiting on disk or DNS never stalls the others, libsieve (not reentrant)
 * needs no locks, privileges can be switched per recipient, and a crash
 * loses one session, never a message (the MTA keeps it until it gets a
 * 250).  Processes share the master's pages copy-on-write.
 *
 * Reuse: when a session ends, its process tells the master it is idle
 * (one byte on its control socket) and the master hands it the next
 * connection (SCM_RIGHTS) instead of forking, so the DNS cache, the
 * libunbound context and the Sieve workers stay warm across connections
 * (Postfix opens a new LMTP connection for most deliveries).  A process
 * serves at most lmtp_max_use sessions and is let go after lmtp_max_idle
 * seconds without one (the master closes its control socket; it exits on
 * EOF), and only ever sessions of the configuration it was forked with.
 *
 * SIGTERM: stop listening, let every child finish its transaction (each
 * then replies 421 and exits), exit when all are gone.  SIGHUP: re-read the
 * configuration; new sessions use it (idle processes of the old one are
 * let go), sessions in progress keep theirs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "client.h"
#include "cmd.h"
#include "conf.h"
#include "crypto.h"
#include "deliver.h"
#include "dns_shared.h"
#include "fdpass.h"
#include "lmtp.h"
#include "log.h"
#include "metrics.h"
#include "recorder.h"
#include "resolver.h"
#include "sieve_pool.h"

#define MAX_LISTEN 16

struct listener {
	int fd;
	bool is_unix;
	char name[256];
};

static volatile sig_atomic_t got_term, got_hup, got_chld;
/* the metrics listener (master only; -1 without metrics_listen) and the
 * scrape children alive: at most METRICS_SCRAPERS at once */
static int metrics_fd = -1;
/* RLIMIT_NOFILE as we were started: the master raises its soft limit (a
 * control socket per session), a session process goes back to this one,
 * and so do the programs it runs (sendmail for redirect and vacation) */
static struct rlimit nofile_start;
static bool nofile_saved;
static int nscrapers;
#define METRICS_SCRAPERS 4
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
		/* owner and group before the mode: the socket is never open
		 * to more than lmtp_socket_mode says */
		uid_t uid = (uid_t)-1;
		gid_t gid = (gid_t)-1;
		if (*conf->lmtp_socket_owner) {
			struct passwd *pw = getpwnam(conf->lmtp_socket_owner);
			if (!pw) {
				*err = "lmtp_socket_owner: no such user";
				close(l->fd);
				return -1;
			}
			uid = pw->pw_uid;
		}
		if (*conf->lmtp_socket_group) {
			struct group *gr = getgrnam(conf->lmtp_socket_group);
			if (!gr) {
				*err = "lmtp_socket_group: no such group";
				close(l->fd);
				return -1;
			}
			gid = gr->gr_gid;
		}
		mode_t old = umask(0177);	/* 0600 until chown/chmod below */
		int br = bind(l->fd, (struct sockaddr *)&sun, sizeof(sun));
		umask(old);
		if (br < 0 ||
		    ((uid != (uid_t)-1 || gid != (gid_t)-1) && chown(sun.sun_path, uid, gid) < 0) ||
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
	const char *p;
	if (scan_hostport(spec, host, sizeof(host), &p, err) < 0)
		return -1;
	snprintf(port, sizeof(port), "%s", p);
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
	struct sockaddr_storage ss = { 0 };	/* AF_UNSPEC if nothing is filled in */
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

/* A session process: one per busy connection or idle for reuse. */
struct kid {
	pid_t pid;
	int ctl;		/* control socket, -1 once let go */
	bool busy;
	unsigned gen;		/* configuration generation it was forked with */
	long long idle_since;	/* monotonic ms */
};

/* The helper processes' control sockets (the master's ends; -1: none). */
struct helpers {
	struct resolver rs;
	struct sieve_pool sp;
	struct recorder rc;
};

/* The descriptors a helper process (resolver, Sieve pool, recorder) must
 * not keep: listeners, the metrics listener, the sessions' and the other
 * helpers' control sockets (a helper exits when the master closes its
 * socket: no other process may hold a copy).  NULL when out of memory. */
static int *helper_close_fds(const struct listener *ls, size_t nl, int mlfd,
			     const struct kid *kids, size_t nkids, const struct helpers *h,
			     size_t *n_r)
{
	int *all = malloc((nl + nkids + 4) * sizeof(int));
	if (!all)
		return NULL;
	size_t n = 0;
	for (size_t i = 0; i < nl; i++)
		all[n++] = ls[i].fd;
	all[n++] = mlfd;
	for (size_t k = 0; k < nkids; k++)
		all[n++] = kids[k].ctl;
	all[n++] = h->rs.ctl;
	all[n++] = h->sp.ctl;
	all[n++] = h->rc.ctl;
	*n_r = n;
	return all;
}

/* Start the shared resolver (dns_shared) for configuration c; on failure
 * the session processes use a libunbound context of their own. */
static void resolver_up(struct helpers *h, const struct conf *c, const char *dns_zone,
			const struct listener *ls, size_t nl, int mlfd,
			const struct kid *kids, size_t nkids)
{
	struct resolver *rs = &h->rs;
	if (!c->verify || !c->dns_shared)
		return;
	size_t n;
	int *all = helper_close_fds(ls, nl, mlfd, kids, nkids, h, &n);
	if (!all) {
		log_warn("dns resolver: out of memory; session processes resolve on their own");
		return;
	}
	const char *err;
	if (resolver_start(rs, c, dns_zone, all, n, &err) < 0)
		log_warn("dns resolver: %s; session processes resolve on their own", err);
	else
		log_info("dns resolver process %ld: one cache for all sessions", (long)rs->pid);
	free(all);
}

/* Start the Sieve worker pool (sieve_shared_workers) when any script is
 * configured; without it each session forks workers of its own. */
static void pool_up(struct helpers *h, const struct conf *c, const struct listener *ls,
		    size_t nl, int mlfd, const struct kid *kids, size_t nkids)
{
	struct sieve_pool *sp = &h->sp;
	if (!c->sieve_shared_workers ||
	    !((c->sieve_user && *c->sieve_user) || (c->sieve_default && *c->sieve_default) ||
	      c->sieve_before.n || c->sieve_after.n))
		return;
	size_t n;
	int *all = helper_close_fds(ls, nl, mlfd, kids, nkids, h, &n);
	const char *err = "out of memory";
	if (!all || sieve_pool_start(sp, c, all, n, &err) < 0)
		log_warn("sieve pool: %s; session processes fork their own workers", err);
	else
		log_info("sieve pool process %ld: workers shared by all sessions", (long)sp->pid);
	free(all);
}

/* A helper process ended: one log line; the caller starts a new one. */
static void helper_ended(const char *what, pid_t p, int st)
{
	log_error("%s process %ld ended (%s %d); starting a new one", what, (long)p,
		  WIFSIGNALED(st) ? "signal" : "status",
		  WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
}

/* Start the DMARC report recorder when dmarc_report_store is set: the
 * only store connection; without it each session opens its own.  false
 * when one is wanted and did not start (the caller tries again later). */
static bool recorder_up(struct helpers *h, const struct conf *c, const struct listener *ls,
			size_t nl, int mlfd, const struct kid *kids, size_t nkids)
{
	if (!c->dmarc_report_store || !*c->dmarc_report_store)
		return true;
	size_t n;
	int *all = helper_close_fds(ls, nl, mlfd, kids, nkids, h, &n);
	const char *err = "out of memory";
	bool ok = all && recorder_start(&h->rc, c, all, n, &err) == 0;
	if (!ok)
		log_warn("dmarc report recorder: %s; session processes write the store themselves "
			 "until it starts", err);
	else
		log_info("dmarc report recorder process %ld: one store connection for all sessions",
			 (long)h->rc.pid);
	free(all);
	return ok;
}

/* In the session process: the next connection, or -1 (EOF: let go, or
 * SIGTERM). */
static int recv_conn(int ctl, unsigned char *li_r)
{
	for (;;) {
		if (child_stop)
			return -1;
		int fd = fdpass_recv(ctl, li_r);
		if (fd >= 0 || errno != EINTR)
			return fd;
	}
}

static void serve_child(int fd, const struct listener *l, struct listener *ls, size_t nl,
			int ctl, const char *dns_zone, int resolver_fd, int pool_fd, int rec_fd)
{
	for (size_t i = 0; i < nl; i++)
		close(ls[i].fd);
	if (metrics_fd >= 0)
		close(metrics_fd);
	set_handler(SIGTERM, on_child_term);
	signal(SIGHUP, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	if (nofile_saved)
		(void)setrlimit(RLIMIT_NOFILE, &nofile_start);
	struct deliver_ctx ctx = { .dns_zone = dns_zone, .resolver_fd = resolver_fd };
	if (rec_fd >= 0)
		ctx.recorder = recorder_client_new(rec_fd);
	sieve_pool_use(pool_fd);
	for (long uses = 1;; uses++) {
		struct lmtp_peer peer;
		peer_of(fd, l, &peer);
		metrics_session(1);
		lmtp_session(fd, &peer, &ctx, &child_stop);
		close(fd);
		deliver_ctx_idle(&ctx);	/* DMARC report records not yet confirmed */
		/* a process whose shared resolver or recorder went away (or
		 * that was forked while the recorder was down) is not reused:
		 * its successor gets a socket to the new one */
		if (child_stop || uses >= conf->lmtp_max_use || ctx.resolver_lost ||
		    dns_broken(ctx.dns) || sieve_pool_lost() ||
		    (conf->dmarc_report_store && *conf->dmarc_report_store && recorder_lost(ctx.recorder)))
			break;
		/* idle: tell the master, wait for the next connection */
		ssize_t w;
		while ((w = write(ctl, "I", 1)) < 0 && errno == EINTR)
			;
		unsigned char li = 0;
		if (w != 1 || (fd = recv_conn(ctl, &li)) < 0 || li >= nl)
			break;
		l = &ls[li];
	}
	deliver_ctx_clear(&ctx);
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

static void warn_log(const char *msg)
{
	log_warn("%s", msg);
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
	conf_warnings(c, warn_log);

	/* a control socket per session process, the listeners, the helpers'
	 * sockets; the helpers raise their own (fdpass_raise_nofile) */
	nofile_saved = getrlimit(RLIMIT_NOFILE, &nofile_start) == 0;
	fdpass_raise_nofile("master", (rlim_t)c->lmtp_max_connections + 32);

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
	/* metrics: the shared table exists before the first fork, so every
	 * session process adds to it; the listener is the master's */
	struct listener ml = { .fd = -1 };
	if (*c->metrics_listen) {
		const char *err;
		if (metrics_init() < 0) {
			log_error("metrics: cannot map the shared table: %s", strerror(errno));
			return EX_OSERR;
		}
		if (listen_one(c->metrics_listen, &ml, &err) < 0) {
			log_error("cannot listen on %s (metrics_listen): %s", c->metrics_listen, err);
			return EX_OSERR;
		}
		log_info("metrics on %s", ml.name);
		metrics_fd = ml.fd;
	}
	/* shared copy-on-write by every session process (crypto.h) */
	if (c->verify) {
		crypto_preload();
		if (strcmp(crypto_ed25519_impl(), "own"))
			log_warn("ed25519: own check failed its known answers; using OpenSSL's (slower)");
	}
	set_handler(SIGTERM, on_signal);
	set_handler(SIGINT, on_signal);
	set_handler(SIGHUP, on_signal);
	set_handler(SIGCHLD, on_signal);
	signal(SIGPIPE, SIG_IGN);

	size_t nkids = 0, kids_cap = 0;
	struct kid *kids = NULL;
	struct helpers h = { { 0, -1 }, { 0, -1 }, { 0, -1 } };
	struct resolver *rs = &h.rs;
	struct sieve_pool *sp = &h.sp;
	struct recorder *rc = &h.rc;
	long long rs_retry = 0;		/* restart after a crash, not before */
	long long sp_retry = 0, rc_retry = 0;
	pid_t old_rs_pid[256];		/* helpers let go at a reload (3 each) */
	size_t nold_rs = 0;
	resolver_up(&h, c, dns_zone, ls, nl, ml.fd, NULL, 0);
	pool_up(&h, c, ls, nl, ml.fd, NULL, 0);
	if (!recorder_up(&h, c, ls, nl, ml.fd, NULL, 0))
		rc_retry = mono_ms() + 1000;
	unsigned gen = 0;		/* configuration generation */
	struct pollfd *pfd = NULL;
	size_t pfd_cap = 0;
	while (!got_term) {
		if (got_chld) {
			got_chld = 0;
			int st;
			pid_t p;
			while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
				if (rs->pid && p == rs->pid) {
					helper_ended("dns resolver", p, st);
					resolver_release(rs);
					rs_retry = mono_ms() + 1000;
					continue;
				}
				if (sp->pid && p == sp->pid) {
					helper_ended("sieve pool", p, st);
					sieve_pool_release(sp);
					sp_retry = mono_ms() + 1000;
					continue;
				}
				if (rc->pid && p == rc->pid) {
					/* its sessions spool what it did not confirm */
					helper_ended("dmarc report recorder", p, st);
					recorder_release(rc);
					rc_retry = mono_ms() + 1000;
					continue;
				}
				bool old_rs = false;	/* a resolver let go at a reload */
				for (size_t k = 0; k < nold_rs && !old_rs; k++)
					if (old_rs_pid[k] == p) {
						old_rs_pid[k] = old_rs_pid[--nold_rs];
						old_rs = true;
					}
				if (old_rs)
					continue;
				bool session = false;
				for (size_t k = 0; k < nkids; k++)
					if (kids[k].pid == p) {
						if (kids[k].ctl >= 0)
							close(kids[k].ctl);
						kids[k] = kids[--nkids];
						session = true;
						break;
					}
				if (!session && nscrapers > 0)
					nscrapers--;	/* a scrape child */
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
				conf_warnings(nc, warn_log);
				log_open(nc);
				c = nc;
				gen++;
				log_info("configuration reloaded from %s (listen addresses need a restart)",
					 nc->path);
				/* the old resolver serves the old sessions until they end */
				if (rs->pid && nold_rs < sizeof(old_rs_pid) / sizeof(old_rs_pid[0]))
					old_rs_pid[nold_rs++] = rs->pid;
				resolver_release(rs);
				resolver_up(&h, c, dns_zone, ls, nl, ml.fd, kids, nkids);
				/* the pool too: its workers read the configuration */
				if (sp->pid && nold_rs < sizeof(old_rs_pid) / sizeof(old_rs_pid[0]))
					old_rs_pid[nold_rs++] = sp->pid;
				sieve_pool_release(sp);
				pool_up(&h, c, ls, nl, ml.fd, kids, nkids);
				/* and the recorder (the store may have changed) */
				if (rc->pid && nold_rs < sizeof(old_rs_pid) / sizeof(old_rs_pid[0]))
					old_rs_pid[nold_rs++] = rc->pid;
				recorder_release(rc);
				rc_retry = recorder_up(&h, c, ls, nl, ml.fd, kids, nkids) ? 0 :
					   mono_ms() + 1000;
			}
		}
		/* let go: idle processes of an older configuration, and those
		 * idle for longer than lmtp_max_idle */
		long long now = mono_ms(), next = -1;
		if (rs_retry) {
			if (now >= rs_retry) {
				rs_retry = 0;
				resolver_up(&h, c, dns_zone, ls, nl, ml.fd, kids, nkids);
			} else
				next = rs_retry;
		}
		if (sp_retry) {
			if (now >= sp_retry) {
				sp_retry = 0;
				pool_up(&h, c, ls, nl, ml.fd, kids, nkids);
			} else if (next < 0 || sp_retry < next)
				next = sp_retry;
		}
		if (rc_retry) {
			if (now >= rc_retry) {
				rc_retry = recorder_up(&h, c, ls, nl, ml.fd, kids, nkids) ? 0 :
					   mono_ms() + 1000;
			} else if (next < 0 || rc_retry < next)
				next = rc_retry;
		}
		size_t busy = 0;
		for (size_t k = 0; k < nkids; k++) {
			struct kid *kd = &kids[k];
			if (kd->ctl < 0)
				continue;
			if (kd->busy) {
				busy++;
				continue;
			}
			long long until = kd->idle_since + c->lmtp_max_idle * 1000LL;
			if (kd->gen != gen || now >= until) {
				close(kd->ctl);	/* it reads EOF and exits */
				kd->ctl = -1;
			} else if (next < 0 || until < next)
				next = until;
		}
		if (pfd_cap < nl + 1 + nkids) {
			size_t cap = (nl + 1 + nkids) * 2;
			struct pollfd *np = realloc(pfd, cap * sizeof(*np));
			if (!np) {
				log_error("out of memory");
				break;
			}
			pfd = np;
			pfd_cap = cap;
		}
		metrics_processes((long)busy, (long)(nkids - busy));
		size_t np = 0;
		for (size_t i = 0; i < nl; i++)
			pfd[np++] = (struct pollfd){ ls[i].fd, POLLIN, 0 };
		size_t mi = np;		/* the metrics listener, when there is one */
		if (ml.fd >= 0)
			pfd[np++] = (struct pollfd){ ml.fd, POLLIN, 0 };
		for (size_t k = 0; k < nkids; k++)
			if (kids[k].ctl >= 0)
				pfd[np++] = (struct pollfd){ kids[k].ctl, POLLIN, 0 };
		int pr = poll(pfd, np, next < 0 ? -1 : (int)(next - now + 1));
		if (pr <= 0)
			continue;	/* EINTR from a signal, or an idle timeout */
		/* a scrape: answered by a short-lived child (the master never
		 * waits on a scraper), which reads the shared table */
		if (ml.fd >= 0 && (pfd[mi].revents & POLLIN)) {
			int fd = accept4(ml.fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd >= 0 && nscrapers >= METRICS_SCRAPERS) {
				close(fd);	/* the scraper retries at its next interval */
				fd = -1;
			}
			if (fd >= 0) {
				pid_t pid = fork();
				if (pid == 0) {
					for (size_t i = 0; i < nl; i++)
						close(ls[i].fd);
					close(ml.fd);
					for (size_t k = 0; k < nkids; k++)
						if (kids[k].ctl >= 0)
							close(kids[k].ctl);
					if (rs->ctl >= 0)
						close(rs->ctl);
					if (sp->ctl >= 0)
						close(sp->ctl);
					if (rc->ctl >= 0)
						close(rc->ctl);
					signal(SIGPIPE, SIG_IGN);
					metrics_serve(fd);
					_exit(0);
				}
				if (pid < 0)
					log_warn("metrics: fork: %s", strerror(errno));
				else
					nscrapers++;
				close(fd);
			}
		}
		/* control sockets first: a process that just became idle can
		 * take a connection accepted below */
		for (size_t j = ml.fd >= 0 ? nl + 1 : nl; j < np; j++) {
			if (!pfd[j].revents)
				continue;
			for (size_t k = 0; k < nkids; k++) {
				struct kid *kd = &kids[k];
				if (kd->ctl != pfd[j].fd)
					continue;
				char byte;
				ssize_t n = read(kd->ctl, &byte, 1);
				if (n == 1 && byte == 'I' && kd->busy) {
					kd->busy = false;
					kd->idle_since = mono_ms();
					busy--;
				} else if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
					close(kd->ctl);	/* it exited (or is exiting) */
					kd->ctl = -1;
					if (kd->busy)
						busy--;
					kd->busy = false;
				}
				break;
			}
		}
		for (size_t i = 0; i < nl; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			int fd = accept4(ls[i].fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd < 0)
				continue;
			if ((long)busy >= c->lmtp_max_connections) {
				static const char full[] = "421 4.3.2 Too many connections, try again later\r\n";
				if (write(fd, full, sizeof(full) - 1) < 0) {
					/* nothing to do: the client retries */
				}
				log_warn("connection refused: %zu sessions (lmtp_max_connections)", busy);
				metrics_refused();
				close(fd);
				continue;
			}
			/* an idle process of this configuration, else a new one */
			struct kid *kd = NULL;
			for (size_t k = 0; k < nkids && !kd; k++)
				if (kids[k].ctl >= 0 && !kids[k].busy && kids[k].gen == gen)
					kd = &kids[k];
			if (kd && fdpass_send(kd->ctl, fd, (unsigned char)i) == 0) {
				kd->busy = true;
				busy++;
				close(fd);
				continue;
			}
			if (kd) {		/* it went away: let it go, fork */
				close(kd->ctl);
				kd->ctl = -1;
			}
			if (nkids == kids_cap) {
				size_t cap = kids_cap ? kids_cap * 2 : 64;
				struct kid *nk = realloc(kids, cap * sizeof(*nk));
				if (!nk) {
					close(fd);
					continue;
				}
				kids = nk;
				kids_cap = cap;
			}
			int sv[2];
			pid_t pid = -1;
			int dfd = resolver_attach(rs);
			int sfd = sieve_pool_attach(sp);
			int rfd = recorder_attach(rc);
			if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0) {
				pid = fork();
				if (pid == 0) {
					close(sv[0]);
					for (size_t k = 0; k < nkids; k++)
						if (kids[k].ctl >= 0)
							close(kids[k].ctl);
					if (rs->ctl >= 0)
						close(rs->ctl);
					if (sp->ctl >= 0)
						close(sp->ctl);
					if (rc->ctl >= 0)
						close(rc->ctl);
					serve_child(fd, &ls[i], ls, nl, sv[1], dns_zone, dfd, sfd, rfd);
				}
				close(sv[1]);
				if (pid < 0)
					close(sv[0]);
			}
			if (dfd >= 0)
				close(dfd);
			if (sfd >= 0)
				close(sfd);
			if (rfd >= 0)
				close(rfd);
			if (pid < 0) {
				static const char nofork[] = "421 4.3.2 Cannot fork, try again later\r\n";
				if (write(fd, nofork, sizeof(nofork) - 1) < 0) {
					/* the client retries */
				}
				log_error("fork: %s", strerror(errno));
				metrics_refused();
			} else {
				kids[nkids++] = (struct kid){ .pid = pid, .ctl = sv[0], .busy = true, .gen = gen };
				busy++;
			}
			close(fd);
		}
	}
	size_t nbusy = 0;
	for (size_t k = 0; k < nkids; k++)
		nbusy += kids[k].busy;
	log_info("SIGTERM: finishing %zu sessions", nbusy);
	for (size_t i = 0; i < nl; i++) {
		close(ls[i].fd);
		if (ls[i].is_unix)
			unlink(ls[i].name + 5);
	}
	if (ml.fd >= 0) {
		close(ml.fd);
		if (ml.is_unix)
			unlink(ml.name + 5);
	}
	for (size_t k = 0; k < nkids; k++) {
		if (kids[k].ctl >= 0)
			close(kids[k].ctl);	/* idle ones exit on EOF */
		kill(kids[k].pid, SIGTERM);	/* busy ones finish the transaction, then 421 */
	}
	free(kids);
	free(pfd);
	/* the resolver answers the sessions still finishing, then exits */
	resolver_release(rs);
	sieve_pool_release(sp);
	recorder_release(rc);	/* writes what it holds, then exits */
	for (;;) {
		int st;
		if (waitpid(-1, &st, 0) < 0 && errno == ECHILD)
			break;
	}
	log_info("exiting");
	conf_shutdown();
	return 0;
}
