/* date.c - authdeliver patch 0007: RFC 5260 date and currentdate. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "date.h"

static const char *const months[] = { "jan", "feb", "mar", "apr", "may", "jun",
				      "jul", "aug", "sep", "oct", "nov", "dec" };

static const char *skip_cfws(const char *p)
{
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
            p++;
        if (*p != '(')
            return p;
        int depth = 0;
        do {
            if (*p == '(') depth++;
            else if (*p == ')') depth--;
            else if (*p == '\\' && p[1]) p++;
            p++;
        } while (*p && depth > 0);
    }
}

static int num(const char **pp, int min, int max, int *v)
{
    const char *p = *pp;
    int n = 0, d = 0;
    while (isdigit((unsigned char)*p) && d < 9) { n = n * 10 + (*p - '0'); p++; d++; }
    if (d < min || d > max)
        return -1;
    *v = n;
    *pp = p;
    return 0;
}

int libsieve_zone_parse(const char *s, int *zone_r)
{
    int v, i;
    const char *p = s;
    if ((*p != '+' && *p != '-') || strlen(s) != 5)
        return -1;
    for (i = 1; i < 5; i++)
        if (!isdigit((unsigned char)s[i]))
            return -1;
    v = atoi(s + 1);
    if (v % 100 > 59)
        return -1;
    *zone_r = (*p == '-' ? -1 : 1) * ((v / 100) * 60 + v % 100);
    return 0;
}

int libsieve_date_parse(const char *s, time_t *t_r, int *zone_r)
{
    const char *p = skip_cfws(s);
    struct tm tm;
    int day, year, hh, mm, ss = 0, i;
    memset(&tm, 0, sizeof(tm));
    if (isalpha((unsigned char)*p)) {		/* day-of-week "," */
        while (isalpha((unsigned char)*p)) p++;
        p = skip_cfws(p);
        if (*p == ',') p++;
        p = skip_cfws(p);
    }
    if (num(&p, 1, 2, &day) < 0)
        return -1;
    p = skip_cfws(p);
    for (i = 0; i < 12; i++)
        if (!strncasecmp(p, months[i], 3))
            break;
    if (i == 12)
        return -1;
    tm.tm_mon = i;
    p += 3;
    while (isalpha((unsigned char)*p)) p++;
    p = skip_cfws(p);
    if (num(&p, 2, 4, &year) < 0)
        return -1;
    if (year < 50) year += 2000;		/* RFC 5322 section 4.3 */
    else if (year < 1000) year += 1900;
    p = skip_cfws(p);
    if (num(&p, 1, 2, &hh) < 0 || *p++ != ':' || num(&p, 2, 2, &mm) < 0)
        return -1;
    if (*p == ':') {
        p++;
        if (num(&p, 2, 2, &ss) < 0)
            return -1;
    }
    p = skip_cfws(p);
    int zone = 0;
    if (*p == '+' || *p == '-') {
        char z[6];
        snprintf(z, sizeof(z), "%.5s", p);
        if (libsieve_zone_parse(z, &zone) < 0)
            return -1;
    } else {
        static const struct { const char *n; int off; } oz[] = {
            { "UT", 0 }, { "GMT", 0 }, { "Z", 0 }, { "EST", -300 }, { "EDT", -240 },
            { "CST", -360 }, { "CDT", -300 }, { "MST", -420 }, { "MDT", -360 },
            { "PST", -480 }, { "PDT", -420 },
        };
        size_t k;
        for (k = 0; k < sizeof(oz) / sizeof(oz[0]); k++)
            if (!strncasecmp(p, oz[k].n, strlen(oz[k].n)) && !isalpha((unsigned char)p[strlen(oz[k].n)]))
                break;
        zone = k < sizeof(oz) / sizeof(oz[0]) ? oz[k].off : 0;	/* unknown: -0000 */
    }
    if (day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60)
        return -1;
    tm.tm_mday = day;
    tm.tm_year = year - 1900;
    tm.tm_hour = hh;
    tm.tm_min = mm;
    tm.tm_sec = ss > 59 ? 59 : ss;
    *t_r = timegm(&tm) - (time_t)zone * 60;
    *zone_r = zone;
    return 0;
}

int libsieve_local_zone(time_t t)
{
    struct tm lt;
    localtime_r(&t, &lt);
    return (int)(lt.tm_gmtoff / 60);
}

int libsieve_date_part(time_t t, int zone, const char *part, char *out, size_t size)
{
    struct tm tm;
    time_t lt = t + (time_t)zone * 60;
    int az = zone < 0 ? -zone : zone;
    gmtime_r(&lt, &tm);
    if (!strcasecmp(part, "year"))
        snprintf(out, size, "%04d", tm.tm_year + 1900);
    else if (!strcasecmp(part, "month"))
        snprintf(out, size, "%02d", tm.tm_mon + 1);
    else if (!strcasecmp(part, "day"))
        snprintf(out, size, "%02d", tm.tm_mday);
    else if (!strcasecmp(part, "date"))
        snprintf(out, size, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    else if (!strcasecmp(part, "julian"))
        /* RFC 5260 section 4.2: days since 1858-11-17 (MJD) */
        snprintf(out, size, "%ld", (long)((lt / 86400) + 40587));
    else if (!strcasecmp(part, "hour"))
        snprintf(out, size, "%02d", tm.tm_hour);
    else if (!strcasecmp(part, "minute"))
        snprintf(out, size, "%02d", tm.tm_min);
    else if (!strcasecmp(part, "second"))
        snprintf(out, size, "%02d", tm.tm_sec);
    else if (!strcasecmp(part, "time"))
        snprintf(out, size, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
    else if (!strcasecmp(part, "iso8601") && zone == 0)
        /* RFC 3339 section 5.6 "Z", as Pigeonhole writes it */
        snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    else if (!strcasecmp(part, "iso8601"))
        snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 zone < 0 ? '-' : '+', az / 60, az % 60);
    else if (!strcasecmp(part, "std11")) {
        static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
        static const char *const mo[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
        snprintf(out, size, "%s, %02d %s %04d %02d:%02d:%02d %c%02d%02d", wd[tm.tm_wday],
                 tm.tm_mday, mo[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                 tm.tm_sec, zone < 0 ? '-' : '+', az / 60, az % 60);
    } else if (!strcasecmp(part, "zone"))
        snprintf(out, size, "%c%02d%02d", zone < 0 ? '-' : '+', az / 60, az % 60);
    else if (!strcasecmp(part, "weekday"))
        snprintf(out, size, "%d", tm.tm_wday);
    else
        return -1;
    return 0;
}
