# RFC 5173 section 5.2, body :text on an HTML part: the text without its
# mark-up (Pigeonhole strips it; so do we, src/html2text.h)
require ["body", "fileinto", "copy"];
if body :text :contains "here to unsubscribe" { fileinto :copy "Words"; }
if body :text :contains "<b>" { fileinto :copy "Markup"; }
if body :text :contains "color: red" { fileinto :copy "Style"; }
if body :text :contains "tracker" { fileinto :copy "Script"; }
if body :text :contains "hidden offer" { fileinto :copy "Comment"; }
if body :text :contains "customer & friend <VIP> café" { fileinto :copy "Entities"; }
if body :text :contains "Price 9,99€" { fileinto :copy "Cells"; }
if body :text :contains "Hello dear" { fileinto :copy "Inline"; }
if body :text :contains "Plain text version" { fileinto :copy "PlainPart"; }
if body :raw :contains "<b>dear</b>" { fileinto :copy "Raw"; }
if body :content "text/html" :contains "<b>dear</b>" { fileinto :copy "Content"; }
