# RFC 5260 section 4 / 7 style
require ["date", "relational", "fileinto", "variables"];
if date :value "ge" :originalzone "date" "hour" "14" {
    fileinto "afternoon-sender";
}
if date :zone "-0500" :is "date" "date" "2026-12-01" {
    fileinto "dec1-in-ny";
}
if date :zone "+0900" :matches "date" "std11" "*" {
    fileinto "std11 ${1}";
}
if date :originalzone :matches "date" "iso8601" "*" {
    fileinto "iso ${1}";
}
if date :is "date" "weekday" "2" {
    fileinto "tuesday";
}
if date :zone "+0000" :is "date" "julian" "61375" {
    fileinto "julian";
}
if date :zone "+0000" :matches "date" "zone" "*" {
    fileinto "zone ${1}";
}
