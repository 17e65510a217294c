%{
/* sieve.y -- sieve parser
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

/* sv_regex */
#include "regex.h"

/* sv_parser */
#include "comparator.h"
#include "sieveinc.h"
#include "addrinc.h"

/* sv_interface */
#include "callbacks2.h"
#include "script.h"
#include "tree.h"
#include "variables.h"
#include "date.h"

/* sv_util */
#include "util.h"

#define THIS_MODULE "sv_parser"
#define THIS_CONTEXT libsieve_parse_context

struct sieve2_context *libsieve_parse_context;
extern int libsieve_sieveerror(char *msg);
extern int libsieve_sievelex(void);

#define YYERROR_VERBOSE /* i want better error messages! */
%}

%name-prefix="libsieve_sieve"
%define parse.error verbose

%union {
    int nval;
    char *sval;
    stringlist_t *sl;
    test_t *test;
    testlist_t *testl;
    commandlist_t *cl;
    struct vtags *vtag;
    struct aetags *aetag;
    struct htags *htag;
    struct hftags *hftag;
    struct ntags *ntag;
    struct ftags *ftag;	/* authdeliver 0003: fileinto/redirect tags */
    struct stags *stag;	/* authdeliver 0004: set modifiers */
    struct btags *btag;	/* authdeliver 0006: body tags */
    struct dtags *dtag;	/* authdeliver 0007: date tags */
    struct duptags *duptag;	/* authdeliver 0009: duplicate tags */
    struct etags *etag;	/* authdeliver 0010: enotify tags */
}

%token <nval> NUMBER
%token <sval> STRING
%token IF ELSIF ELSE
%token REJCT FILEINTO REDIRECT KEEP STOP DISCARD VACATION REQUIRE
%token SETFLAG ADDFLAG REMOVEFLAG MARK UNMARK FLAGS HASFLAG
%token NOTIFY VALIDNOTIF
%token ANYOF ALLOF EXISTS SFALSE STRUE HEADER NOT SIZE ADDRESS ENVELOPE
%token COMPARATOR IS CONTAINS MATCHES REGEX OVER UNDER COUNT VALUE
%token ALL LOCALPART DOMAIN USER DETAIL
%token DAYS ADDRESSES SUBJECT MIME FROM HANDLE
%token METHOD ID OPTIONS LOW NORMAL HIGH MESSAGE
%token COPY CREATE MAILBOXEXISTS SECONDS SPAMTEST VIRUSTEST PERCENT
%token SET STRINGT LOWER UPPER LOWERFIRST UPPERFIRST QUOTEWILDCARD LENGTH
%token BODY RAW CONTENT TEXTTAG
%token DATE CURRENTDATE ZONE ORIGINALZONE INDEX LAST
%token INCLUDE RETURN GLOBAL PERSONAL GLOBALTAG ONCE OPTIONAL
%token DUPLICATE HEADERTAG UNIQUEID
%token IMPORTANCE VALIDNOTIFY NOTIFYCAP
%token ADDHEADER DELETEHEADER
%type <nval> itags addtag

%type <cl> commands command action elsif block
%type <sl> stringlist strings
%type <test> test
%type <nval> comptag sizetag addrparttag addrorenv
%type <testl> testlist tests
%type <htag> htags dhtags
%type <hftag> hftags
%type <aetag> aetags
%type <vtag> vtags
%type <ntag> ntags
%type <sval> priority
%type <ftag> ftags rtags
%type <stag> stags
%type <btag> btags
%type <dtag> dtags
%type <duptag> duptags
%type <etag> etags

%%

start: /* empty */		{ ret = NULL; }
	| reqs commands		{ ret = $2; }
	;

reqs: /* empty */
	| require reqs
	;

require: REQUIRE stringlist ';'	{
                                    int unsupp = 0;
                                    char *msg;
                                    char *freemsg;
                                    stringlist_t *s;
                                    stringlist_t *sl = $2;

                                    msg = libsieve_strconcat("unsupported feature:", NULL);

                                    while (sl != NULL) {
                                        s = sl;
                                        sl = sl->next;

					/* Returns 1 if supported, 0 if not. */
                                        if (!static_check_reqs(libsieve_parse_context, s->s)) {
					    unsupp = 1;
                                            freemsg = msg;
                                            msg = libsieve_strconcat(freemsg, " ", s->s, NULL);
                                            libsieve_free(freemsg);
                                        }

                                        libsieve_free(s->s);
                                        libsieve_free(s);
                                    }

				    /* If something wasn't supported, bomb out with msg. */
                                    if (unsupp) {
                                        libsieve_sieveerror(msg);
                                        libsieve_free(msg);
                                        YYERROR; 
                                    }

                                    /* This needs to be free'd regardless of error */
                                    libsieve_free(msg);
                                }
	;

commands: command		{ $$ = $1; }
	| command commands	{ $1->next = $2; $$ = $1; }
	;

command: action ';'		{ $$ = $1; }
	| IF test block elsif   { $$ = libsieve_new_if($2, $3, $4); }
	| error ';'		{ $$ = libsieve_new_command(STOP); }
	;

elsif: /* empty */               { $$ = NULL; }
	| ELSIF test block elsif { $$ = libsieve_new_if($2, $3, $4); }
	| ELSE block             { $$ = $2; }
	;

action: REJCT STRING             { if (!libsieve_parse_context->require.reject) {
				     libsieve_sieveerror("reject not required");
				     YYERROR;
				   }
				   $$ = libsieve_new_command(REJCT); $$->u.str = $2; }
	| KEEP FLAGS stringlist	 { if (!libsieve_parse_context->require.imap4flags) {
				     libsieve_sieveerror("imap4flags not required");
	                             YYERROR;
                                   }
	                           $$ = libsieve_new_command(KEEP);
                                   $$->u.f.mailbox = NULL; 
				   $$->u.f.slflags = $3; }
	| KEEP			 { $$ = libsieve_new_command(KEEP);
	                           $$->u.f.mailbox = NULL;
				   $$->u.f.slflags = NULL; }
	| FILEINTO ftags STRING	 { if (!libsieve_parse_context->require.fileinto) {
				     libsieve_sieveerror("fileinto not required");
	                             YYERROR;
                                   }
				   if ($2->flags && !libsieve_parse_context->require.imap4flags) {
				     libsieve_sieveerror("imap4flags not required");
	                             YYERROR;
                                   }
				   if ($2->copy && !libsieve_parse_context->require.copy) {
				     libsieve_sieveerror("copy not required");
	                             YYERROR;
                                   }
				   if ($2->create && !libsieve_parse_context->require.mailbox) {
				     libsieve_sieveerror("mailbox not required");
	                             YYERROR;
                                   }
				   if (!static_verify_mailbox($3)) {
				     YYERROR; /* vm should call sieveerror() */
				   }
	                           $$ = libsieve_new_command(FILEINTO);
				   $$->u.f.slflags = $2->flags;
				   $$->copy = $2->copy;
				   $$->create = $2->create;
				   libsieve_free($2);
				   $$->u.f.mailbox = $3; }
	| REDIRECT rtags STRING  { if ($2->copy && !libsieve_parse_context->require.copy) {
				     libsieve_sieveerror("copy not required");
	                             YYERROR;
                                   }
				   $$ = libsieve_new_command(REDIRECT);
				   $$->copy = $2->copy;
				   libsieve_free($2);
				   if (!(libsieve_parse_context->require.variables
				         && strstr($3, "${"))
				       && !static_verify_address($3)) {
				     YYERROR; /* va should call sieveerror() */
				   }
				   $$->u.str = $3; }
        | INCLUDE itags STRING	 { if (!libsieve_parse_context->require.include) {
				     libsieve_sieveerror("include not required");
	                             YYERROR;
                                   }
				   if (strchr($3, '/') || !strcmp($3, ".") || !strcmp($3, "..") || !*$3) {
				     libsieve_sieveerror("include: script name must not contain \"/\"");
	                             YYERROR;
				   }
				   $$ = libsieve_new_command(INCLUDE);
				   $$->u.inc.name = $3;
				   $$->u.inc.flags = $2; }
        | RETURN		 { if (!libsieve_parse_context->require.include) {
				     libsieve_sieveerror("include not required");
	                             YYERROR;
                                   }
				   $$ = libsieve_new_command(RETURN); }
        | GLOBAL stringlist	 { if (!libsieve_parse_context->require.include
				       || !libsieve_parse_context->require.variables) {
				     libsieve_sieveerror("global needs include and variables");
	                             YYERROR;
                                   }
				   if (!static_verify_stringlist($2, libsieve_variable_name_ok)) {
				     libsieve_sieveerror("global: invalid variable name");
	                             YYERROR;
				   }
				   $$ = libsieve_new_command(GLOBAL);
				   $$->u.sl = $2; }
        | SET stags STRING STRING { if (!libsieve_parse_context->require.variables) {
				     libsieve_sieveerror("variables not required");
	                             YYERROR;
                                   }
				   if (!libsieve_variable_name_ok($3)) {
				     libsieve_sieveerror("set: invalid variable name");
	                             YYERROR;
				   }
				   $$ = libsieve_new_command(SET);
				   $$->u.set.name = $3;
				   $$->u.set.value = $4;
				   $$->u.set.mods = $2->mods;
				   libsieve_free($2); }
	| STOP			 { $$ = libsieve_new_command(STOP); }
	| DISCARD		 { $$ = libsieve_new_command(DISCARD); }
	| VACATION vtags STRING  { if (!libsieve_parse_context->require.vacation) {
				     libsieve_sieveerror("vacation not required");
				     $$ = libsieve_new_command(VACATION);
				     YYERROR;
				   } else {
  				     $$ = static_build_vacation(VACATION,
					    static_canon_vtags($2), $3);
				   } }
        | SETFLAG stringlist     { if (!libsieve_parse_context->require.imap4flags) {
                                    libsieve_sieveerror("imap4flags not required");
                                    YYERROR;
                                    }
                                  if (!static_verify_stringlist($2, static_verify_flag)) {
                                    YYERROR; /* vf should call sieveerror() */
				    }
                                 $$ = libsieve_new_command(SETFLAG);
                                 $$->u.sl = $2; }
        | ADDFLAG stringlist     { if (!libsieve_parse_context->require.imap4flags) {
                                    libsieve_sieveerror("imap4flags not required");
                                    YYERROR;
                                    }
                                 if (!static_verify_stringlist($2, static_verify_flag)) {
                                    YYERROR; /* vf should call sieveerror() */
                                    }
                                 $$ = libsieve_new_command(ADDFLAG);
                                 $$->u.sl = $2; }
        | REMOVEFLAG stringlist  { if (!libsieve_parse_context->require.imap4flags) {
                                     libsieve_sieveerror("imap4flags not required");
                                     YYERROR;
                                     }
                                 if (!static_verify_stringlist($2, static_verify_flag)) {
                                     YYERROR; /* vf should call sieveerror() */
                                     }
                                 $$ = libsieve_new_command(REMOVEFLAG);
                                 $$->u.sl = $2; }
        | NOTIFY etags STRING    { /* authdeliver 0010: RFC 5435 section 3 replaces
				    * the old draft's notify (never offered) */
				   if (!libsieve_parse_context->require.enotify) {
	       		             libsieve_sieveerror("enotify not required");
	       		             YYERROR;
				   }
				   if ($2->importance && strcmp($2->importance, "1") &&
				       strcmp($2->importance, "2") && strcmp($2->importance, "3")) {
	       		             libsieve_sieveerror("notify :importance must be \"1\", \"2\" or \"3\"");
	       		             YYERROR;
				   }
				   $$ = libsieve_new_command(NOTIFY);
				   $$->u.n.method = $3;
				   $$->u.n.id = $2->from;
				   $$->u.n.options = $2->options;
				   $$->u.n.priority = $2->importance;
				   $$->u.n.message = $2->message;
				   libsieve_free($2); }
	| ADDHEADER addtag STRING STRING
				 { /* authdeliver 0011: RFC 5293 section 4 */
				   if (!libsieve_parse_context->require.editheader) {
				     libsieve_sieveerror("editheader not required");
				     YYERROR;
				   }
				   if (!static_verify_edit_name($3)) { YYERROR; }
				   $$ = libsieve_new_command(ADDHEADER);
				   $$->u.eh.name = $3;
				   $$->u.eh.value = $4;
				   $$->u.eh.last = $2;
				   $$->u.eh.t = NULL; }
	| DELETEHEADER dhtags STRING
				 { /* RFC 5293 section 5: all occurrences */
				   if (!libsieve_parse_context->require.editheader) {
				     libsieve_sieveerror("editheader not required");
				     YYERROR;
				   }
				   $$ = static_build_deleteheader($2, $3, NULL);
				   if ($$ == NULL) { YYERROR; } }
	| DELETEHEADER dhtags STRING stringlist
				 { if (!libsieve_parse_context->require.editheader) {
				     libsieve_sieveerror("editheader not required");
				     YYERROR;
				   }
				   $$ = static_build_deleteheader($2, $3, $4);
				   if ($$ == NULL) { YYERROR; } }
        | VALIDNOTIF stringlist  { if (!libsieve_parse_context->require.notify) {
                                     libsieve_sieveerror("notify not required");
				     $$ = libsieve_new_command(VALIDNOTIF);
				     YYERROR;
				 } else {
				     $$ = static_build_validnotif(VALIDNOTIF, $2);
				 } }
	;

/* RFC 6609 section 3.2: bit 1 :global (else :personal), 2 :once,
 * 4 :optional, 8 a location was given */
itags: /* empty */		 { $$ = 0; }
	| itags PERSONAL	 { if ($1 & 8) { libsieve_sieveerror("duplicate :personal/:global"); YYERROR; }
				   $$ = $1 | 8; }
	| itags GLOBALTAG	 { if ($1 & 8) { libsieve_sieveerror("duplicate :personal/:global"); YYERROR; }
				   $$ = $1 | 8 | 1; }
	| itags ONCE		 { $$ = $1 | 2; }
	| itags OPTIONAL	 { $$ = $1 | 4; }
	;

ftags: /* empty */		 { $$ = static_new_ftags(); }
	| ftags COPY		 { $$ = $1; $$->copy = 1; }
	| ftags CREATE		 { $$ = $1; $$->create = 1; }
	| ftags FLAGS stringlist { $$ = $1;
				   if ($$->flags != NULL) {
					libsieve_sieveerror("duplicate :flags"); YYERROR; }
				   $$->flags = $3; }
	;

rtags: /* empty */		 { $$ = static_new_ftags(); }
	| rtags COPY		 { $$ = $1; $$->copy = 1; }
	;

/* RFC 5173 section 4/5: match type, comparator, transform. */
/* RFC 7352 section 3 */
addtag: /* empty */		 { $$ = 0; }
	| LAST			 { $$ = 1; }
	;

/* RFC 5293 section 5: :index N [:last], comparator, match type (not the
 * index extension's tags: editheader has its own) */
dhtags: /* empty */		 { $$ = static_new_htags(); }
	| dhtags comptag	 { $$ = $1;
				   if ($$->comptag != -1) {
			libsieve_sieveerror("duplicate comparator type tag"); YYERROR; }
				   $$->comptag = $2; }
	| dhtags COMPARATOR STRING { $$ = $1;
				   if ($$->comparator != NULL) {
			libsieve_sieveerror("duplicate comparator tag"); YYERROR; }
				   $$->comparator = $3; }
	| dhtags INDEX NUMBER	 { $$ = $1;
				   if ($3 < 1) { libsieve_sieveerror(":index must be 1 or more"); YYERROR; }
				   $$->index = $3; }
	| dhtags LAST		 { $$ = $1; $$->last = 1; }
	;

etags: /* empty */		 { $$ = static_new_etags(); }
	| etags FROM STRING	 { $$ = $1; if ($$->from) { libsieve_sieveerror("duplicate :from"); YYERROR; }
				   $$->from = $3; }
	| etags IMPORTANCE STRING { $$ = $1; if ($$->importance) { libsieve_sieveerror("duplicate :importance"); YYERROR; }
				   $$->importance = $3; }
	| etags MESSAGE STRING	 { $$ = $1; if ($$->message) { libsieve_sieveerror("duplicate :message"); YYERROR; }
				   $$->message = $3; }
	| etags OPTIONS stringlist { $$ = $1; if ($$->options) { libsieve_sieveerror("duplicate :options"); YYERROR; }
				   $$->options = $3; }
	;

duptags: /* empty */		 { $$ = static_new_duptags(); }
	| duptags HANDLE STRING	 { $$ = $1; if ($$->handle) { libsieve_sieveerror("duplicate :handle"); YYERROR; }
				   $$->handle = $3; }
	| duptags HEADERTAG STRING { $$ = $1; if ($$->header) { libsieve_sieveerror("duplicate :header"); YYERROR; }
				   if (!static_verify_header($3)) { YYERROR; }
				   $$->header = $3; }
	| duptags UNIQUEID STRING { $$ = $1; if ($$->uniqueid) { libsieve_sieveerror("duplicate :uniqueid"); YYERROR; }
				   $$->uniqueid = $3; }
	| duptags SECONDS NUMBER { $$ = $1; $$->seconds = $3; }
	| duptags LAST		 { $$ = $1; $$->last = 1; }
	;

/* RFC 5260 sections 4, 5, 6 */
dtags: /* empty */		 { $$ = static_new_dtags(); }
	| dtags comptag		 { $$ = $1;
				   if ($$->comptag != -1) {
			libsieve_sieveerror("duplicate comparator type tag"); YYERROR; }
				   else { $$->comptag = $2; } }
	| dtags COMPARATOR STRING { $$ = $1;
				   if ($$->comparator != NULL) {
			libsieve_sieveerror("duplicate comparator tag"); YYERROR; }
				   else { $$->comparator = $3; } }
	| dtags ZONE STRING	 { $$ = $1;
				   if ($$->zone || $$->originalzone) {
			libsieve_sieveerror("duplicate :zone or :originalzone"); YYERROR; }
				   $$->zone = $3; }
	| dtags ORIGINALZONE	 { $$ = $1;
				   if ($$->zone || $$->originalzone) {
			libsieve_sieveerror("duplicate :zone or :originalzone"); YYERROR; }
				   $$->originalzone = 1; }
	| dtags INDEX NUMBER	 { $$ = $1;
				   if (!libsieve_parse_context->require.index) {
			libsieve_sieveerror("index not required"); YYERROR; }
				   if ($3 < 1) { libsieve_sieveerror(":index must be 1 or more"); YYERROR; }
				   $$->index = $3; }
	| dtags LAST		 { $$ = $1;
				   if (!libsieve_parse_context->require.index) {
			libsieve_sieveerror("index not required"); YYERROR; }
				   $$->last = 1; }
	;

btags: /* empty */		 { $$ = static_new_btags(); }
	| btags comptag		 { $$ = $1;
				   if ($$->comptag != -1) {
			libsieve_sieveerror("duplicate comparator type tag"); YYERROR; }
				   else { $$->comptag = $2; } }
	| btags COMPARATOR STRING { $$ = $1;
				   if ($$->comparator != NULL) {
			libsieve_sieveerror("duplicate comparator tag"); YYERROR; }
				   else { $$->comparator = $3; } }
	| btags RAW		 { $$ = $1;
				   if ($$->transform) { libsieve_sieveerror("duplicate body transform"); YYERROR; }
				   $$->transform = RAW; }
	| btags TEXTTAG		 { $$ = $1;
				   if ($$->transform) { libsieve_sieveerror("duplicate body transform"); YYERROR; }
				   $$->transform = TEXTTAG; }
	| btags CONTENT stringlist { $$ = $1;
				   if ($$->transform) { libsieve_sieveerror("duplicate body transform"); YYERROR; }
				   $$->transform = CONTENT; $$->types = $3; }
	;

/* RFC 5229 section 4: modifiers, applied by precedence at run time. */
stags: /* empty */		 { $$ = static_new_stags(); }
	| stags LOWER		 { $$ = $1; $$->mods |= SV_MOD_LOWER; }
	| stags UPPER		 { $$ = $1; $$->mods |= SV_MOD_UPPER; }
	| stags LOWERFIRST	 { $$ = $1; $$->mods |= SV_MOD_LOWERFIRST; }
	| stags UPPERFIRST	 { $$ = $1; $$->mods |= SV_MOD_UPPERFIRST; }
	| stags QUOTEWILDCARD	 { $$ = $1; $$->mods |= SV_MOD_QUOTEWILDCARD; }
	| stags LENGTH		 { $$ = $1; $$->mods |= SV_MOD_LENGTH; }
	;

ntags: /* empty */		 { $$ = static_new_ntags(); }
	| ntags ID STRING	 { if ($$->id != NULL) { 
					libsieve_sieveerror("duplicate :method"); YYERROR; }
				   else { $$->id = $3; } }
	| ntags METHOD STRING	 { if ($$->method != NULL) { 
					libsieve_sieveerror("duplicate :method"); YYERROR; }
				   else { $$->method = $3; } }
	| ntags OPTIONS stringlist { if ($$->options != NULL) { 
					libsieve_sieveerror("duplicate :options"); YYERROR; }
				     else { $$->options = $3; } }
	| ntags priority	 { if ($$->priority != NULL) { 
					libsieve_sieveerror("duplicate :priority"); YYERROR; }
				   else { $$->priority = $2; } }
	| ntags MESSAGE STRING	 { if ($$->message != NULL) { 
					libsieve_sieveerror("duplicate :message"); YYERROR; }
				   else { $$->message = $3; } }
	;

hftags: /*empty */               { $$ = static_new_hftags(); }
	| hftags comptag         { $$->comptag = $2; }
	| hftags COMPARATOR STRING { if ($$->comparator != NULL) { 
				   libsieve_sieveerror("duplicate comparator tag"); YYERROR; }
				   else { $$->comparator = $3; } }
	;

priority: LOW    { $$ = "low"; }
        | NORMAL { $$ = "normal"; }
        | HIGH   { $$ = "high"; }
        ;

vtags: /* empty */		 { $$ = static_new_vtags(); }
	| vtags DAYS NUMBER	 { if ($$->days != -1 || $$->seconds != -1) { 
					libsieve_sieveerror("duplicate :days");
					YYERROR; }
				   else { $$->days = $3; } }
	| vtags ADDRESSES stringlist { if ($$->addresses != NULL) { 
					libsieve_sieveerror("duplicate :addresses"); 
					YYERROR;
				       } else if (!static_verify_stringlist($3,
							static_verify_address)) {
					  YYERROR;
				       } else {
					 $$->addresses = $3; } }
	| vtags SUBJECT STRING	 { if ($$->subject != NULL) { 
					libsieve_sieveerror("duplicate :subject"); 
					YYERROR;
				   } else if (!static_ok_header($3)) {
					YYERROR;
				   } else { $$->subject = $3; } }
	| vtags HANDLE STRING	 { if ($$->handle != NULL) { 
					libsieve_sieveerror("duplicate :handle"); 
					YYERROR;
				   } else if (!static_ok_header($3)) {
					YYERROR;
				   } else { $$->handle = $3; } }
	| vtags FROM STRING	 { if ($$->from != NULL) { 
					libsieve_sieveerror("duplicate :from"); 
					YYERROR;
				   } else if (!static_ok_header($3)) {
					YYERROR;
				   } else { $$->from = $3; } }
	| vtags SECONDS NUMBER	 { if (!libsieve_parse_context->require.vacation_seconds) {
					libsieve_sieveerror("vacation-seconds not required");
					YYERROR; }
				   if ($$->seconds != -1 || $$->days != -1) {
					libsieve_sieveerror("duplicate :seconds or :days");
					YYERROR; }
				   else { $$->seconds = $3; } }
	| vtags MIME		 { if ($$->mime != -1) { 
					libsieve_sieveerror("duplicate :mime"); 
					YYERROR; }
				   else { $$->mime = MIME; } }
	;

stringlist: '[' strings ']'      { $$ = $2; }
	| STRING		 { $$ = libsieve_new_sl($1, NULL); }
	;

strings: STRING			 { $$ = libsieve_new_sl($1, NULL); }
	| STRING ',' strings	 { $$ = libsieve_new_sl($1, $3); }
	;

block: '{' commands '}'		 { $$ = $2; }
	| '{' '}'		 { $$ = NULL; }
	;

test: ANYOF testlist		 { $$ = libsieve_new_test(ANYOF); $$->u.tl = $2; }
	| ALLOF testlist	 { $$ = libsieve_new_test(ALLOF); $$->u.tl = $2; }
	| EXISTS stringlist      { $$ = libsieve_new_test(EXISTS); $$->u.sl = $2; }
	| SFALSE		 { $$ = libsieve_new_test(SFALSE); }
	| STRUE			 { $$ = libsieve_new_test(STRUE); }
        | HASFLAG hftags stringlist { if (!libsieve_parse_context->require.imap4flags) {
                                       libsieve_sieveerror("imap4flags not required");
                                       YYERROR;
                                    }
                                    if (!static_verify_stringlist($3, static_verify_flag)) {
                                       YYERROR; /* vf should call sieveerror() */
				    }
                                    $$ = libsieve_new_test(HASFLAG);
				    if ($2->comptag != -1) { 
				       $$->u.hf.comp = libsieve_comparator_lookup($2->comparator, $2->comptag);
				       $$->u.hf.comptag = $2->comptag;
				    }
				    if ($2) {
				       libsieve_free($2);
				    }
                                    $$->u.hf.sl = $3; }
	| HEADER htags stringlist stringlist
				 { patternlist_t *pl;
                                   if (!static_verify_stringlist($3, static_verify_header)) {
                                     YYERROR; /* vh should call sieveerror() */
                                   }

				   $2 = static_canon_htags($2);
				   if ($2->comptag == REGEX) {
				     pl = static_verify_regexs($4, $2->comparator);
				     if (!pl) { YYERROR; }
				   }
				   else
				     pl = (patternlist_t *) $4;
				       
				   $$ = static_build_header(HEADER, $2, $3, pl);
				   if ($$ == NULL) { YYERROR; } }
	| addrorenv aetags stringlist stringlist
				 { patternlist_t *pl;
                                   if (!static_verify_stringlist($3, static_verify_header)) {
                                     YYERROR; /* vh should call sieveerror() */
                                   }

				   $2 = static_canon_aetags($2);
				   if ($2->comptag == REGEX) {
				     pl = static_verify_regexs($4, $2->comparator);
				     if (!pl) { YYERROR; }
				   }
				   else
				     pl = (patternlist_t *) $4;
				       
				   $$ = static_build_address($1, $2, $3, pl);
				   if ($$ == NULL) { YYERROR; } }
	| NOT test		 { $$ = libsieve_new_test(NOT); $$->u.t = $2; }
	| SIZE sizetag NUMBER    { $$ = libsieve_new_test(SIZE); $$->u.sz.t = $2;
		                   $$->u.sz.n = $3; }
	| BODY btags stringlist	 { patternlist_t *pl;
				   struct htags *h;
				   if (!libsieve_parse_context->require.body) {
				     libsieve_sieveerror("body not required");
				     YYERROR;
				   }
				   h = static_new_htags();
				   h->comptag = $2->comptag;
				   h->comparator = $2->comparator;
				   h = static_canon_htags(h);
				   if (h->comptag == REGEX) {
				     pl = static_verify_regexs($3, h->comparator);
				     if (!pl) { YYERROR; }
				   }
				   else
				     pl = (patternlist_t *) $3;
				   /* the host answers the body parts as the values
				    * of a reserved name (see patch 0003) */
				   $$ = static_build_header(HEADER, h,
					libsieve_new_sl(static_body_query($2), NULL), pl);
				   libsieve_free($2);
				   if ($$ == NULL) { YYERROR; }
				   $$->type = BODY; }
	| DATE dtags STRING STRING stringlist
				 { if (!libsieve_parse_context->require.date) {
				     libsieve_sieveerror("date not required");
				     YYERROR;
				   }
				   $$ = static_build_date(DATE, $2, $3, $4, $5);
				   if ($$ == NULL) { YYERROR; } }
	| CURRENTDATE dtags STRING stringlist
				 { if (!libsieve_parse_context->require.date) {
				     libsieve_sieveerror("date not required");
				     YYERROR;
				   }
				   if ($2->originalzone || $2->index) {
				     libsieve_sieveerror("currentdate takes no :originalzone or :index");
				     YYERROR;
				   }
				   $$ = static_build_date(CURRENTDATE, $2, NULL, $3, $4);
				   if ($$ == NULL) { YYERROR; } }
	| VALIDNOTIFY stringlist { if (!libsieve_parse_context->require.enotify) {
				     libsieve_sieveerror("enotify not required");
				     YYERROR;
				   }
				   $$ = libsieve_new_test(VALIDNOTIFY); $$->u.sl = $2; }
	| NOTIFYCAP htags STRING STRING stringlist
				 { if (!libsieve_parse_context->require.enotify) {
				     libsieve_sieveerror("enotify not required");
				     YYERROR;
				   }
				   $2 = static_canon_htags($2);
				   if ($2->comptag == REGEX) {
				     libsieve_sieveerror("notify_method_capability: no :regex");
				     YYERROR;
				   }
				   $$ = static_build_header(HEADER, $2,
					libsieve_new_sl($3, libsieve_new_sl($4, NULL)), (patternlist_t *)$5);
				   if ($$ == NULL) { YYERROR; }
				   $$->type = NOTIFYCAP; }
	| DUPLICATE duptags	 { if (!libsieve_parse_context->require.duplicate) {
				     libsieve_sieveerror("duplicate not required");
				     YYERROR;
				   }
				   if ($2->header && $2->uniqueid) {
				     libsieve_sieveerror("duplicate: :header and :uniqueid exclude each other");
				     YYERROR;
				   }
				   $$ = libsieve_new_test(DUPLICATE);
				   $$->u.dup.handle = $2->handle;
				   $$->u.dup.header = $2->header;
				   $$->u.dup.uniqueid = $2->uniqueid;
				   $$->u.dup.seconds = $2->seconds;
				   $$->u.dup.last = $2->last;
				   libsieve_free($2); }
	| MAILBOXEXISTS stringlist { if (!libsieve_parse_context->require.mailbox) {
				     libsieve_sieveerror("mailbox not required");
				     YYERROR;
				   }
				   $$ = libsieve_new_test(MAILBOXEXISTS); $$->u.sl = $2; }
	| STRINGT htags stringlist stringlist
				 { patternlist_t *pl;
				   if (!libsieve_parse_context->require.variables) {
				     libsieve_sieveerror("variables not required");
				     YYERROR;
				   }
				   $2 = static_canon_htags($2);
				   if ($2->comptag == REGEX) {
				     pl = static_verify_regexs($4, $2->comparator);
				     if (!pl) { YYERROR; }
				   }
				   else
				     pl = (patternlist_t *) $4;
				   $$ = static_build_header(HEADER, $2, $3, pl);
				   if ($$ == NULL) { YYERROR; }
				   $$->type = STRINGT; }
	| SPAMTEST htags STRING	 { if (!libsieve_parse_context->require.spamtest
				       && !libsieve_parse_context->require.spamtestplus) {
				     libsieve_sieveerror("spamtest not required");
				     YYERROR;
				   }
				   $$ = static_build_header(HEADER, static_canon_numeric($2),
					libsieve_new_sl(libsieve_strdup("X-AuthDeliver-Spamtest"), NULL),
					(patternlist_t *)libsieve_new_sl($3, NULL));
				   if ($$ == NULL) { YYERROR; }
				   $$->type = SPAMTEST; }
	| SPAMTEST PERCENT htags STRING { if (!libsieve_parse_context->require.spamtestplus) {
				     libsieve_sieveerror("spamtestplus not required");
				     YYERROR;
				   }
				   $$ = static_build_header(HEADER, static_canon_numeric($3),
					libsieve_new_sl(libsieve_strdup("X-AuthDeliver-Spamtest-Percent"), NULL),
					(patternlist_t *)libsieve_new_sl($4, NULL));
				   if ($$ == NULL) { YYERROR; }
				   $$->type = SPAMTEST; }
	| VIRUSTEST htags STRING { if (!libsieve_parse_context->require.virustest) {
				     libsieve_sieveerror("virustest not required");
				     YYERROR;
				   }
				   $$ = static_build_header(HEADER, static_canon_numeric($2),
					libsieve_new_sl(libsieve_strdup("X-AuthDeliver-Virustest"), NULL),
					(patternlist_t *)libsieve_new_sl($3, NULL));
				   if ($$ == NULL) { YYERROR; }
				   $$->type = SPAMTEST; }
	| error			 { $$ = NULL; }
	;

addrorenv: ADDRESS		 { $$ = ADDRESS; }
	| ENVELOPE		 { $$ = ENVELOPE; }
	;

aetags: /* empty */              { $$ = static_new_aetags(); }
        | aetags addrparttag	 { $$ = $1;
				   if ($$->addrtag != -1) { 
			libsieve_sieveerror("duplicate or conflicting address part tag");
			YYERROR; }
				   else { $$->addrtag = $2; } }
	| aetags comptag         { $$ = $1;
				   if ($$->comptag != -1) { 
			libsieve_sieveerror("duplicate comparator type tag"); YYERROR; }
				   else { $$->comptag = $2; } }
	| aetags COMPARATOR STRING { $$ = $1;
				   if ($$->comparator != NULL) { 
			libsieve_sieveerror("duplicate comparator tag"); YYERROR; }
				   else { $$->comparator = $3; } }
	;

htags: /* empty */		 { $$ = static_new_htags(); }
	| htags comptag		 { $$ = $1;
				   if ($$->comptag != -1) { 
			libsieve_sieveerror("duplicate comparator type tag"); YYERROR; }
				   else { $$->comptag = $2; } }
	| htags COMPARATOR STRING { $$ = $1;
				   if ($$->comparator != NULL) { 
			libsieve_sieveerror("duplicate comparator tag");
					YYERROR; }
				   else { $$->comparator = $3; } }
	| htags INDEX NUMBER	 { $$ = $1;	/* authdeliver 0007: RFC 5260 section 6 */
				   if (!libsieve_parse_context->require.index) {
			libsieve_sieveerror("index not required"); YYERROR; }
				   if ($3 < 1) { libsieve_sieveerror(":index must be 1 or more"); YYERROR; }
				   $$->index = $3; }
	| htags LAST		 { $$ = $1;
				   if (!libsieve_parse_context->require.index) {
			libsieve_sieveerror("index not required"); YYERROR; }
				   $$->last = 1; }
	;

addrparttag: ALL                 { $$ = ALL; }
	| LOCALPART		 { $$ = LOCALPART; }
	| DOMAIN                 { $$ = DOMAIN; }
	| USER                   { if (!libsieve_parse_context->require.subaddress) {
				     libsieve_sieveerror("subaddress not required");
				     YYERROR;
				   }
				   $$ = USER; }
	| DETAIL                { if (!libsieve_parse_context->require.subaddress) {
				     libsieve_sieveerror("subaddress not required");
				     YYERROR;
				   }
				   $$ = DETAIL; }
	;

comptag: IS			 { $$ = IS; }
	| VALUE	STRING		 { $$ = VALUE | libsieve_relational_lookup($2); libsieve_free($2); /* HACK: bits above 10 carry the relational. And we don't need this string anymore, either. */ }
	| COUNT	STRING		 { $$ = COUNT | libsieve_relational_lookup($2); libsieve_free($2); /* HACK: bits above 10 carry the relational. And we don't need this string anymore, either. */ }
	| CONTAINS		 { $$ = CONTAINS; }
	| MATCHES		 { $$ = MATCHES; }
	| REGEX			 { if (!libsieve_parse_context->require.regex) {
				     libsieve_sieveerror("regex not required");
				     YYERROR;
				     }
				   $$ = REGEX; }
	;

sizetag: OVER			 { $$ = OVER; }
	| UNDER			 { $$ = UNDER; }
	;

testlist: '(' tests ')'		 { $$ = $2; }
	;

tests: test                      { $$ = libsieve_new_testlist($1, NULL); }
	| test ',' tests         { $$ = libsieve_new_testlist($1, $3); }
	;

%%

const char *libsieve_sieveptr;         /* pointer to sieve string for address lexer */
char *libsieve_sieveerr;         /* buffer for sieve parser error messages */

commandlist_t *libsieve_sieve_parse_buffer(struct sieve2_context *context)
{
    commandlist_t *t;
    extern commandlist_t *ret;
    extern int libsieve_sievelineno;

    libsieve_parse_context = context;
    /* authdeliver 0003: what a script requires is its own (validate and
     * execute parse again on the same context) */
    memset(&context->require, 0, sizeof(context->require));

    libsieve_sieveptr = context->script.script;
    libsieve_sieveerr = NULL;
    libsieve_sievelineno = 1;

    libsieve_sievelexrestart();

    if (libsieve_sieveparse()) {
	return NULL;
    } else {
        t = ret;
	ret = NULL;
	return t;
    }
}

/* This gets called by the address parser,
 * which does not have access to the context. */
int libsieve_sieveerror_exec(char *msg)
{
    libsieve_parse_context->exec_errors++;

    libsieve_do_error_exec(libsieve_parse_context, msg);

    return 0;
}

int libsieve_sieveerror(char *msg)
{
    extern int libsieve_sievelineno;

    libsieve_parse_context->parse_errors++;

    libsieve_do_error_parse(libsieve_parse_context, libsieve_sievelineno, msg);

    return 0;
}

static test_t *static_build_address(int t, struct aetags *ae,
			     stringlist_t *sl, patternlist_t *pl)
{
    test_t *ret = libsieve_new_test(t);	/* can be either ADDRESS or ENVELOPE */

    libsieve_assert((t == ADDRESS) || (t == ENVELOPE));

    if (ret) {
	ret->u.ae.comptag = ae->comptag;
	ret->u.ae.comp = libsieve_comparator_lookup(ae->comparator, ae->comptag);
	ret->u.ae.sl = sl;
	ret->u.ae.pl = pl;
	ret->u.ae.addrpart = ae->addrtag;
	static_free_aetags(ae);
	if (ret->u.ae.comp == NULL) {
	    libsieve_free_test(ret);
	    ret = NULL;
	}
    }
    return ret;
}

static test_t *static_build_header(int t, struct htags *h,
			    stringlist_t *sl, patternlist_t *pl)
{
    test_t *ret = libsieve_new_test(t);	/* can be HEADER */

    libsieve_assert(t == HEADER);

    if (ret) {
	ret->u.h.comptag = h->comptag;
	ret->u.h.comp = libsieve_comparator_lookup(h->comparator, h->comptag);
	ret->u.h.sl = sl;
	ret->u.h.pl = pl;
	ret->u.h.index = h->index;
	ret->u.h.last = h->last;
	static_free_htags(h);
	if (ret->u.h.comp == NULL) {
	    libsieve_free_test(ret);
	    ret = NULL;
	}
    }
    return ret;
}

static commandlist_t *static_build_vacation(int t, struct vtags *v, char *reason)
{
    commandlist_t *ret = libsieve_new_command(t);

    libsieve_assert(t == VACATION);

    if (ret) {
	ret->u.v.subject = v->subject; v->subject = NULL;
	ret->u.v.handle = v->handle; v->handle = NULL;
	ret->u.v.from = v->from; v->from = NULL;
	ret->u.v.days = v->days;
	ret->u.v.seconds = v->seconds;
	ret->u.v.mime = v->mime;
	ret->u.v.addresses = v->addresses; v->addresses = NULL;
	static_free_vtags(v);
	ret->u.v.message = reason;
    }
    return ret;
}

static commandlist_t *static_build_notify(int t, struct ntags *n)
{
    commandlist_t *ret = libsieve_new_command(t);

    libsieve_assert(t == NOTIFY);

    if (ret) {
	ret->u.n.method = n->method; n->method = NULL;
	ret->u.n.id = n->id; n->id = NULL;
	ret->u.n.options = n->options; n->options = NULL;
	ret->u.n.priority = n->priority;
	ret->u.n.message = n->message; n->message = NULL;
	static_free_ntags(n);
    }
    return ret;
}

// FIXME: I think we just test and return true or false... check around.
static commandlist_t *static_build_validnotif(int t, stringlist_t *sl)
{
    commandlist_t *ret = libsieve_new_command(t);

    libsieve_assert(t == VALIDNOTIF);

/*
    if (ret) {
	ret->u.d.comptag = d->comptag;
	ret->u.d.comp = libsieve_comparator_lookup("i;ascii-casemap", d->comptag);
	ret->u.d.pattern = d->pattern; d->pattern = NULL;
	ret->u.d.priority = d->priority;
	static_free_dtags(d);
    }*/
    return ret;
}

static struct ftags *static_new_ftags(void)
{
    struct ftags *r = (struct ftags *) libsieve_malloc(sizeof(struct ftags));

    r->copy = r->create = 0;
    r->flags = NULL;
    return r;
}

/* authdeliver 0011: RFC 5293 section 4/5: a field name (unless variables
 * make it known only at run time; the host checks it again then) */
static int static_verify_edit_name(const char *name)
{
    if (libsieve_parse_context->require.variables && strstr(name, "${"))
        return 1;
    if (!*name) {
        libsieve_sieveerror("editheader: empty field name");
        return 0;
    }
    return static_verify_header(name);
}

static commandlist_t *static_build_deleteheader(struct htags *h, char *name, stringlist_t *keys)
{
    patternlist_t *pl;
    commandlist_t *c;
    test_t *t;
    h = static_canon_htags(h);
    if (h->last && !h->index) {
        libsieve_sieveerror("deleteheader: :last needs :index");
        static_free_htags(h);
        return NULL;
    }
    if (libsieve_relational_count(h->comptag)) {
        /* RFC 5293 section 5: :count is an error */
        libsieve_sieveerror("deleteheader: :count is not allowed");
        static_free_htags(h);
        return NULL;
    }
    if (!static_verify_edit_name(name)) {
        static_free_htags(h);
        return NULL;
    }
    if (h->comptag == REGEX && keys) {
        pl = static_verify_regexs(keys, h->comparator);
        if (!pl) { static_free_htags(h); return NULL; }
    } else
        pl = (patternlist_t *) keys;
    t = static_build_header(HEADER, h, libsieve_new_sl(name, NULL), pl);
    if (!t)
        return NULL;
    c = libsieve_new_command(DELETEHEADER);
    c->u.eh.name = NULL;
    c->u.eh.value = NULL;
    c->u.eh.last = keys != NULL;	/* value-patterns given */
    c->u.eh.t = t;
    return c;
}

static struct etags *static_new_etags(void)
{
    struct etags *r = (struct etags *) libsieve_malloc(sizeof(struct etags));

    r->from = r->importance = r->message = NULL;
    r->options = NULL;
    return r;
}

static struct duptags *static_new_duptags(void)
{
    struct duptags *r = (struct duptags *) libsieve_malloc(sizeof(struct duptags));

    r->handle = r->header = r->uniqueid = NULL;
    r->seconds = -1;
    r->last = 0;
    return r;
}

static struct dtags *static_new_dtags(void)
{
    struct dtags *r = (struct dtags *) libsieve_malloc(sizeof(struct dtags));

    r->comptag = -1;
    r->comparator = NULL;
    r->zone = NULL;
    r->originalzone = r->index = r->last = 0;
    return r;
}

/* authdeliver 0007: RFC 5260 section 4/5 tests */
static test_t *static_build_date(int t, struct dtags *d, char *header, char *part,
                                 stringlist_t *keys)
{
    static const char *const parts[] = { "year", "month", "day", "date", "julian", "hour",
        "minute", "second", "time", "iso8601", "std11", "zone", "weekday", NULL };
    test_t *ret;
    patternlist_t *pl;
    int i, zone;

    if (!strstr(part, "${")) {
        for (i = 0; parts[i] && strcasecmp(parts[i], part); i++) ;
        if (!parts[i]) {
            libsieve_sieveerror("unknown date-part");
            return NULL;
        }
    }
    if (d->zone && !strstr(d->zone, "${") && libsieve_zone_parse(d->zone, &zone) < 0) {
        libsieve_sieveerror(":zone must be +hhmm or -hhmm");
        return NULL;
    }
    if (header && !static_verify_header(header))
        return NULL;
    if (d->comparator == NULL) { d->comparator = libsieve_strdup("i;ascii-casemap"); }
    if (d->comptag == -1) { d->comptag = IS; }
    if (d->comptag == REGEX) {
        pl = static_verify_regexs(keys, d->comparator);
        if (!pl)
            return NULL;
    } else {
        pl = (patternlist_t *) keys;
    }
    ret = libsieve_new_test(t);
    ret->u.dt.comptag = d->comptag;
    ret->u.dt.comp = libsieve_comparator_lookup(d->comparator, d->comptag);
    ret->u.dt.header = header;
    ret->u.dt.part = part;
    ret->u.dt.pl = pl;
    ret->u.dt.zone = d->zone;
    ret->u.dt.originalzone = d->originalzone;
    ret->u.dt.index = d->index;
    ret->u.dt.last = d->last;
    libsieve_free(d->comparator);
    libsieve_free(d);
    if (ret->u.dt.comp == NULL) {
        libsieve_free_test(ret);
        return NULL;
    }
    return ret;
}

static struct btags *static_new_btags(void)
{
    struct btags *r = (struct btags *) libsieve_malloc(sizeof(struct btags));

    r->comptag = -1;
    r->comparator = NULL;
    r->transform = 0;
    r->types = NULL;
    return r;
}

/* "X-AuthDeliver-Body/raw", ".../text" or ".../content/TYPE,TYPE" */
static char *static_body_query(struct btags *b)
{
    char *q;
    stringlist_t *sl;

    if (b->transform == RAW)
        return libsieve_strdup("X-AuthDeliver-Body/raw");
    if (b->transform != CONTENT)
        return libsieve_strdup("X-AuthDeliver-Body/text");
    q = libsieve_strdup("X-AuthDeliver-Body/content/");
    for (sl = b->types; sl != NULL; sl = sl->next) {
        char *t = libsieve_strconcat(q, sl->s, sl->next ? "," : "", NULL);
        libsieve_free(q);
        q = t;
    }
    libsieve_free_sl(b->types);
    return q;
}

static struct stags *static_new_stags(void)
{
    struct stags *r = (struct stags *) libsieve_malloc(sizeof(struct stags));

    r->mods = 0;
    return r;
}

/* RFC 5235 section 3: spamtest/virustest compare with i;ascii-numeric
 * unless a comparator is given. */
static struct htags *static_canon_numeric(struct htags *h)
{
    if (h->comparator == NULL) { h->comparator = libsieve_strdup("i;ascii-numeric"); }
    if (h->comptag == -1) { h->comptag = IS; }
    return h;
}

static struct hftags *static_new_hftags(void)
{
    struct hftags *r = (struct hftags *) libsieve_malloc(sizeof(struct hftags));

    r->comptag = -1;
    r->comparator = NULL;

    return r;
}

static struct aetags *static_new_aetags(void)
{
    struct aetags *r = (struct aetags *) libsieve_malloc(sizeof(struct aetags));

    r->addrtag = r->comptag = -1;
    r->comparator = NULL;

    return r;
}

static struct aetags *static_canon_aetags(struct aetags *ae)
{
    char *map = "i;ascii-casemap";
    if (ae->addrtag == -1) { ae->addrtag = ALL; }
    if (ae->comparator == NULL) { ae->comparator = libsieve_strdup(map); }
    if (ae->comptag == -1) { ae->comptag = IS; }
    return ae;
}

static void static_free_aetags(struct aetags *ae)
{
    libsieve_free(ae->comparator);
    libsieve_free(ae);
}

static struct htags *static_new_htags(void)
{
    struct htags *r = (struct htags *) libsieve_malloc(sizeof(struct htags));

    r->comptag = -1;
    r->comparator = NULL;
    r->index = r->last = 0;

    return r;
}

static struct htags *static_canon_htags(struct htags *h)
{
    char *map = "i;ascii-casemap";
    if (h->comparator == NULL) { h->comparator = libsieve_strdup(map); }
    if (h->comptag == -1) { h->comptag = IS; }
    return h;
}

static void static_free_htags(struct htags *h)
{
    libsieve_free(h->comparator);
    libsieve_free(h);
}

static struct vtags *static_new_vtags(void)
{
    struct vtags *r = (struct vtags *) libsieve_malloc(sizeof(struct vtags));

    r->days = -1;
    r->seconds = -1;
    r->addresses = NULL;
    r->subject = NULL;
    r->handle = NULL;
    r->from = NULL;
    r->mime = -1;

    return r;
}

static struct vtags *static_canon_vtags(struct vtags *v)
{
/* TODO: Change this to an *in*sane default, and specify that the
 * client app has to check for boundaries.  That would be much
 * simpler than having a context registration for something that
 * the user cannot test/check for at all.
 */

    if (v->days == -1 && v->seconds == -1) { v->days = 7; }
    if (v->mime == -1) { v->mime = 0; }

    return v;
}

static void static_free_vtags(struct vtags *v)
{
    if (v->addresses) { libsieve_free_sl(v->addresses); }
    libsieve_free(v->subject);
    libsieve_free(v->handle);
    libsieve_free(v->from);
    libsieve_free(v);
}

static struct ntags *static_new_ntags(void)
{
    struct ntags *r = (struct ntags *) libsieve_malloc(sizeof(struct ntags));

    r->method = NULL;
    r->id = NULL;
    r->options = NULL;
    r->priority = NULL;
    r->message = NULL;

    return r;
}

static struct ntags *static_canon_ntags(struct ntags *n)
{
    char *from = "$from$: $subject$";
    if (n->priority == NULL) { n->priority = "normal"; }
    if (n->message == NULL) { n->message = libsieve_strdup(from); }

    return n;
}

static void static_free_ntags(struct ntags *n)
{
    libsieve_free(n->method);
    libsieve_free(n->id);
    if (n->options) libsieve_free_sl(n->options);
    libsieve_free(n->message);
    libsieve_free(n);
}

static int static_verify_stringlist(stringlist_t *sl, int (*verify)(const char *))
{
    for (; sl != NULL && verify(sl->s); sl = sl->next) ;
    return (sl == NULL);
}

static int static_verify_flag(const char *s)
{
    /* xxx if not a flag, call sieveerror */
    return 1;
}

extern char *libsieve_addrptr;		/* pointer to sieve string for address lexer */

static int static_verify_address(const char *s)
{
    struct address *addr = NULL;

    addr = libsieve_addr_parse_buffer(&addr, &s);
    if (addr == NULL) {
        return 0;
    }
    libsieve_addrstructfree(addr, CHARSALSO);
    return 1;
}

static int static_verify_mailbox(const char *s UNUSED)
{
    /* xxx if not a mailbox, call sieveerror */
    return 1;
}

static int static_verify_header(const char *hdr)
{
    const char *h = hdr;
    char *err;

    while (*h) {
	/* field-name      =       1*ftext
	   ftext           =       %d33-57 / %d59-126         
	   ; Any character except
	   ;  controls, SP, and
	   ;  ":". */
	if (!((*h >= 33 && *h <= 57) || (*h >= 59 && *h <= 126))) {
	    err = libsieve_strconcat("header '", hdr, "': not a valid header", NULL);
	    libsieve_sieveerror(err);
	    libsieve_free(err);
	    return 0;
	}
	h++;
    }
    return 1;
}
 
/* Was this supposed to be modifying its argument?! */
/*
static int static_verify_flag(const char *flag)
{
    int ret;
    char *f, *err;

    // Make ourselves a local copy to change the case
    f = libsieve_strdup(flag);
 
    if (f[0] == '\\') {
	libsieve_strtolower(f,strlen(f));
	if (strcmp(f, "\\\\seen") && strcmp(f, "\\\\answered") &&
	    strcmp(f, "\\\\flagged") && strcmp(f, "\\\\draft") &&
	    strcmp(f, "\\\\deleted")) {
            err = libsieve_strconcat("flag '", f, "': not a system flag", NULL);
	    libsieve_sieveerror(err);
	    libsieve_free(err);
	    ret = 0;
	}
	ret = 1;
    }
    else if (!libsieve_strisatom(f,strlen(f))) {
	err = libsieve_strconcat("flag '", f, "': not a valid keyword", NULL);
	libsieve_sieveerror(err);
	libsieve_free(err);
	ret = 0;
    }
    ret = 1;

    libsieve_free(f);
    return ret;
}
*/
 
static regex_t *static_verify_regex(const char *s, int cflags)
{
    int ret;
    char errbuf[100];
    regex_t *reg = (regex_t *) libsieve_malloc(sizeof(regex_t));

    if ((ret = libsieve_regcomp(reg, s, cflags)) != 0) {
	(void) libsieve_regerror(ret, reg, errbuf, sizeof(errbuf));
	libsieve_sieveerror(errbuf);
	libsieve_free(reg);
	return NULL;
    }
    return reg;
}

static patternlist_t *static_verify_regexs(stringlist_t *sl, char *comp)
{
    stringlist_t *sl2;
    patternlist_t *pl = NULL;
    int cflags = REG_EXTENDED | REG_NOSUB;
    regex_t *reg;

    /* authdeliver 0004: groups are match variables (RFC 5229 3.2) */
    if (libsieve_parse_context->require.variables)
        cflags &= ~REG_NOSUB;

    if (!strcmp(comp, "i;ascii-casemap")) {
	cflags |= REG_ICASE;
    }

    for (sl2 = sl; sl2 != NULL; sl2 = sl2->next) {
	/* authdeliver 0012: with variables, a key that refers to one is
	 * expanded and compiled when the test runs (as Pigeonhole does) */
	if (libsieve_parse_context->require.variables && strstr(sl2->s, "${")) {
	    pl = libsieve_new_pl(NULL, pl);
	    pl->src = libsieve_strdup(sl2->s);
	    pl->cflags = cflags;
	    continue;
	}
	if ((reg = static_verify_regex(sl2->s, cflags)) == NULL) {
	    libsieve_free_pl(pl, REGEX);
	    break;
	}
	pl = libsieve_new_pl(reg, pl);
    }
    if (sl2 == NULL) {
	libsieve_free_sl(sl);
	return pl;
    }
    return NULL;
}

/* xxx is it ok to put this in an RFC822 header body? */
static int static_ok_header(char *s UNUSED)
{
    return 1;
}

/* Checks if interpreter supports specified action
 * */
static int static_check_reqs(struct sieve2_context *c, char *req)
{
    if (0 == strcmp("fileinto", req)) {
        return c->require.fileinto = c->support.fileinto;
    } else if (0 == strcmp("reject", req)) {
        return c->require.reject = c->support.reject;
    } else if (!strcmp("envelope", req)) {
        return c->require.envelope = c->support.envelope;
    } else if (!strcmp("vacation", req)) {
        return c->require.vacation = c->support.vacation;
    } else if (!strcmp("notify",req)) {
        return c->require.notify = c->support.notify;
    } else if (!strcmp("subaddress", req)) {
	return c->require.subaddress = c->support.subaddress;
    /* imap4flags is built into the parser. */
    } else if (!strcmp("imap4flags", req)) {
        return c->require.imap4flags = 1;
    /* regex is built into the parser. */
    } else if (!strcmp("regex", req)) {
	return c->require.regex = 1;
    /* relational is built into the parser. */
    } else if (!strcmp("relational", req)) {
	return c->require.relational = 1;
    /* These comparators are built into the parser. */
    /* authdeliver 0003/0004: built into the parser and evaluator. */
    } else if (!strcmp("copy", req)) {
	return c->require.copy = 1;
    } else if (!strcmp("mailbox", req)) {
	return c->require.mailbox = 1;
    } else if (!strcmp("vacation-seconds", req)) {
	/* RFC 6131 section 2: implies vacation */
	return c->require.vacation_seconds = c->require.vacation = c->support.vacation;
    } else if (!strcmp("spamtest", req)) {
	return c->require.spamtest = 1;
    } else if (!strcmp("spamtestplus", req)) {
	return c->require.spamtestplus = c->require.spamtest = 1;
    } else if (!strcmp("virustest", req)) {
	return c->require.virustest = 1;
    } else if (!strcmp("editheader", req)) {
	return c->require.editheader = 1;
    } else if (!strcmp("enotify", req)) {
	return c->require.enotify = 1;
    } else if (!strcmp("duplicate", req)) {
	return c->require.duplicate = 1;
    } else if (!strcmp("include", req)) {
	return c->require.include = 1;
    } else if (!strcmp("date", req)) {
	return c->require.date = 1;
    } else if (!strcmp("index", req)) {
	return c->require.index = 1;
    } else if (!strcmp("body", req)) {
	return c->require.body = 1;
    } else if (!strcmp("variables", req)) {
	return c->require.variables = 1;
    } else if (!strcmp("comparator-i;octet", req)) {
	return 1;
    } else if (!strcmp("comparator-i;ascii-casemap", req)) {
	return 1;
    } else if (!strcmp("comparator-i;ascii-numeric", req)) {
	return 1;
    }
    /* If we don't recognize it, then we don't support it! */
    return 0;
}

