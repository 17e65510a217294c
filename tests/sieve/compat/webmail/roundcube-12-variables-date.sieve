require ["variables","date","fileinto","mailbox"];
# rule:[archive by month]
if currentdate :matches "month" "*" { set "month" "${1}"; }
if currentdate :matches "year"  "*" { set "year" "${1}"; }
fileinto :create "Archive/${year}-${month}";
