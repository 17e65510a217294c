# default.sieve - authdeliver's shipped Sieve script: file mail that failed
# DMARC with a quarantine disposition into the Junk folder.
#
# Use it as sieve_before (it then runs for every user, and "stop" keeps the
# users' own scripts from pulling the message back into INBOX) or as
# sieve_default (only for users without a script of their own).
#
# The X-AuthDeliver-* header fields tested here are virtual: authdeliver
# answers them from its own verdict and never from the message (incoming
# copies are removed), so a sender cannot forge them.
#   X-AuthDeliver-Disposition   none | quarantine | reject   (after local policy;
#                               p=reject is "quarantine" unless
#                               dmarc_reject_action says otherwise)
#   X-AuthDeliver-DMARC         pass | fail | none | temperror | permerror
#   X-AuthDeliver-DMARC-Policy  none | quarantine | reject   (p, sp or np)
#   X-AuthDeliver-SPF           pass | fail | softfail | neutral | none | ...
#   X-AuthDeliver-DKIM          pass | fail | none | ... (best signature)
#   X-AuthDeliver-ARC           pass | fail | none
#
# The folder name "\\Junk" (the RFC 6154 special-use name) stands for the
# configured junk_folder (default "Junk"); authdeliver creates and
# subscribes it.  Check changes with: authdeliver sieve-check default.sieve

require ["fileinto"];

if header :is "X-AuthDeliver-Disposition" "quarantine" {
	fileinto "\\Junk";
	stop;
}

# Example: DKIM failed for a domain that signs all of its mail.
#if allof (header :is "X-AuthDeliver-DKIM" "fail",
#          address :domain :is "from" ["bank.example", "shop.example"]) {
#	fileinto "\\Junk";
#	stop;
#}

# Example: SPF hard fail (the sender's domain says the host may not send).
#if header :is "X-AuthDeliver-SPF" "fail" {
#	fileinto "\\Junk";
#	stop;
#}
