require ["relational","comparator-i;ascii-numeric"];
if header :value "gt" :comparator "i;ascii-numerc" "x-spam-score" "5" { discard; }
