/* date.h - authdeliver patch 0007: RFC 5260 date parts. */
#ifndef SV_DATE_H
#define SV_DATE_H

#include <time.h>

/* Parse an RFC 5322 section 3.3 date-time (obsolete zones included);
 * returns 0 with the UTC time and the zone offset in minutes. */
int libsieve_date_parse(const char *s, time_t *t_r, int *zone_r);
/* Parse a :zone argument "+hhmm" / "-hhmm"; 0 on success. */
int libsieve_zone_parse(const char *s, int *zone_r);
/* The zone offset of the local time at t, in minutes. */
int libsieve_local_zone(time_t t);
/* Write date-part (RFC 5260 section 4.2) of t seen in zone into out;
 * returns -1 for an unknown date-part. */
int libsieve_date_part(time_t t, int zone, const char *part, char *out, size_t size);

#endif
