require ["fileinto","imap4flags","envelope","subaddress","vacation","reject","relational","comparator-i;ascii-numeric","regex"];
if header :contains "subject" "Gr" { addflag "\\Seen"; fileinto :flags ["\\Flagged"] "a/b"; }
if envelope :detail "to" "tag" { keep :flags "\\Draft"; }
if size :over 1K { redirect "x@y.example"; }
if header :value "gt" :comparator "i;ascii-numeric" "x-spam-score" "5" { discard; stop; }
if header :regex "subject" "^(G.*)+$" { fileinto "INBOX"; }
vacation :days 3 :subject "away" :addresses ["user@d.example"] "I am away";
