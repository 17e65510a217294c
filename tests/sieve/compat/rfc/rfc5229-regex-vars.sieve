# RFC 5229 variables in :regex keys, expanded before the key is compiled
# (as Pigeonhole does), with match variables from the groups
require ["regex", "fileinto", "variables", "copy"];
set "list" "acme";
if header :regex "subject" "^\\[${list}\\] (.*)$" { fileinto :copy "List-${1}"; }
if header :regex "subject" "^\\[(${list}|other)\\]" { fileinto :copy "Alt-${1}"; }
if address :regex :domain "from" "^(.*)\\.${tld}example$" { fileinto :copy "Empty-${1}"; }
if header :regex "subject" "^static-no-vars$" { fileinto :copy "Static"; }
