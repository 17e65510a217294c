# libsieve.mk - build the vendored, patched libsieve as $(B)/libsieve.a.
# Included by the top Makefile; B, CC, Q and the sanitizer flags come from
# there.  The parsers are generated with bison and flex at build time.
LS = vendor/libsieve/src
LSB = $(B)/libsieve
LS_GEN := $(LSB)/sieve.c $(LSB)/addr.c $(LSB)/header.c \
	$(LSB)/sieve-lex.c $(LSB)/addr-lex.c $(LSB)/header-lex.c
LS_SRCS := $(LS)/sv_parser/comparator.c \
	$(wildcard $(LS)/sv_interface/*.c) \
	$(LS)/sv_regex/regex.c \
	$(LS)/sv_util/util.c $(LS)/sv_util/md5.c $(LS)/sv_util/exception.c
LS_HDRS := $(wildcard $(LS)/*/*.h) vendor/libsieve/config.h
LS_OBJS := $(patsubst $(LS)/%.c,$(LSB)/obj/%.o,$(LS_SRCS)) \
	$(patsubst $(LSB)/%.c,$(LSB)/obj/gen/%.o,$(LS_GEN))
# Upstream code: its own warning level, not ours (-Werror stays for src/).
# Not instrumented by the sanitizer builds (as Debian's libsieve2 was not):
# its known one-byte overrun in libsieve_strconcat and its leaks on parse
# errors are contained by the worker process (doc/notes/sieve.md).
LS_CFLAGS = -std=gnu99 -O2 -g -w -fno-strict-aliasing -DHAVE_CONFIG_H \
	-I$(LSB) -Ivendor/libsieve -I$(LS)/sv_util -I$(LS)/sv_parser \
	-I$(LS)/sv_interface -I$(LS)/sv_regex -I$(LS)/sv_include
LS_INC = -I$(LS)/sv_include

$(LSB)/%.c $(LSB)/%.h: $(LS)/sv_parser/%.y
	@mkdir -p $(@D)
	@$(if $(V),,echo "  BISON   $<")
	$(Q)bison -Wno-deprecated -Wno-other -d -p libsieve_$* -o $(LSB)/$*.c $<

$(LSB)/%-lex.c: $(LS)/sv_parser/%-lex.l
	@mkdir -p $(@D)
	@$(if $(V),,echo "  FLEX    $<")
	$(Q)flex -o $@ $<

$(LSB)/obj/gen/%.o: $(LSB)/%.c $(LS_HDRS) $(LSB)/sieve.h $(LSB)/addr.h $(LSB)/header.h
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC      $<")
	$(Q)$(CC) $(LS_CFLAGS) -c -o $@ $<

$(LSB)/obj/%.o: $(LS)/%.c $(LS_HDRS) $(LSB)/sieve.h $(LSB)/addr.h $(LSB)/header.h
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC      $<")
	$(Q)$(CC) $(LS_CFLAGS) -c -o $@ $<

$(B)/libsieve.a: $(LS_OBJS)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $(LS_OBJS)

.SECONDARY: $(LS_GEN) $(LSB)/sieve.h $(LSB)/addr.h $(LSB)/header.h
