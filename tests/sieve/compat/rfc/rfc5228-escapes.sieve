# RFC 5228 section 2.4.2: in a quoted string "\" quotes the next
# character: "\"" is a quote, "\\" one backslash, "\a" just "a"; in
# :matches (section 2.7.1) a quoted "\*" is a literal star
require ["fileinto", "copy"];
if header :contains "subject" "say \"hi\"" { fileinto :copy "Quote"; }
if header :contains "subject" "C:\\temp" { fileinto :copy "Backslash"; }
if header :contains "subject" "C:\temp" { fileinto :copy "Undefined"; }
if header :matches "subject" "*\\*now\\**" { fileinto :copy "LiteralStar"; }
if header :matches "subject" "*\\*later\\**" { fileinto :copy "NoStar"; }
if header :is "subject" "\[acme\] say \"hi\" to C:\\temp *now*" { fileinto :copy "Exact"; }
if address :is "from" "odd@quotes.example" { fileinto :copy "Addr"; }
