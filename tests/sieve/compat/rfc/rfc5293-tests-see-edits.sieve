# RFC 5293 section 7: tests after an edit see the edited header (edits
# come before the keep: Pigeonhole stores the header as it is when the
# keep runs, authdeliver applies all of a script's edits to its copies)
require ["editheader", "fileinto", "imap4flags"];
addheader "X-Tagged" "yes";
deleteheader "Date";
if allof (header :is "X-Tagged" "yes", not exists "Date") {
    addflag "\\Flagged";
}
deleteheader "X-Tagged";
addheader :last "X-Utf8" "Grüße aus Bern";
if not exists "X-Tagged" {
    keep;
}
