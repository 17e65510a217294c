# RFC 5293 section 5: deleteheader with :index, :last and value patterns
require ["editheader", "fileinto"];
deleteheader "X-Spam-Flag";
deleteheader :matches "X-Spam-Score" "9*";
deleteheader :index 1 :last "Received";
deleteheader :contains "List-ID" "acme";
if not exists "X-Spam-Flag" {
    addheader "X-Spam-Cleared" "yes";
}
if header :is "X-Spam-Cleared" "yes" {
    fileinto "Existing";
}
