require ["relational","comparator-i;ascii-numeric"];
if header :value "Ýt" :comparator "i;ascii-numeric" "x-spam-score" "5" { discard; }
