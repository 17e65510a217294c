require "reject";
reject text:
line
..dot
.
;
