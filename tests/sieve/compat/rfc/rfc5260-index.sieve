# RFC 5260 section 6
require ["date", "index", "fileinto", "relational"];
# (date :index is tested in test_sieve: Pigeonhole 0.5.19 ignores :index
# in the date test and reads the first field; RFC 5260 section 6 does not)
if header :index 2 :contains "received" "relay.example" {
    fileinto "second-received";
}
if header :index 1 :last :contains "received" "relay.example" {
    fileinto "last-received";
}
