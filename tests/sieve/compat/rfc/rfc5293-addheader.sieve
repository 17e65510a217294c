# RFC 5293 section 9 style: mark a message before redirecting it once,
# and note what the filter saw, at the top and at the end of the header
require ["editheader", "variables", "copy"];
if not header :contains "X-Sieve-Filtered" "<kim@job.example.com>" {
    addheader "X-Sieve-Filtered" "<kim@job.example.com>";
    redirect :copy "kim@home.example.com";
}
if header :matches "Subject" "*" {
    addheader :last "X-Original-Subject" "${1}";
}
addheader "X-Filter-Note" "seen by the filter, with a value long enough that it has to be folded somewhere";
