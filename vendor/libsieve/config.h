/* config.h for the vendored libsieve, written by hand for authdeliver's
 * build (upstream generates it with autoconf; see README.authdeliver). */
#define HAVE_ENDIAN_H 1
#define HAVE_FCNTL_H 1
#define HAVE_MALLOC_H 1
#define HAVE_UNISTD_H 1
#define HAVE_ALLOCA_H 1
