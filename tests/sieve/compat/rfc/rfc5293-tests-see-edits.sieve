# RFC 5293 section 7: tests after an edit see the edited header, and a
# store uses the header as it is when the action runs (the edit after the
# keep is not in that copy; the fileinto after it has it)
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
addheader "X-After-Keep" "yes";
fileinto "Existing";
