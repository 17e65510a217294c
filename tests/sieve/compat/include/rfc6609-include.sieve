# RFC 6609 section 3.2 / 3.3 style
require ["include", "variables", "fileinto"];
global "verdict";
set "verdict" "none";
set "private" "main-only";
include :personal "filter-lists";
include :personal :once "filter-lists";
include :global "admin-spam";
include :optional "does-not-exist";
if string :is "${verdict}" "list" {
    fileinto "after-${verdict}-${private}";
}
