# RFC 5228 section 9 style
require ["fileinto", "envelope"];
if header :is "X-Mailer" "ShopSoft 3" {
    fileinto "shop";
} elsif address :all :comparator "i;ascii-casemap" :is ["From", "To"] "alice@friends.example" {
    fileinto "friends";
} elsif anyof (not address :all :contains ["To", "Cc", "Bcc"] "u@d.example",
               header :matches "subject" ["*make*money*fast*", "*university*dipl*mas*"]) {
    fileinto "spam";
} else {
    keep;
}
